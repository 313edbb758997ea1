package io.nerva.runtime.train;

import io.nerva.runtime.metric.Metric;
import java.util.function.Supplier;

/**
 * Makes a fresh metric for each fit ({@link Fit#metricFactories}), e.g. {@code Metrics::precision}
 * or {@code MyMetric::new}. Not generic, so a varargs list of them needs no {@code @SafeVarargs}.
 */
@FunctionalInterface
public interface MetricFactory extends Supplier<Metric> {}
