package io.nerva.runtime.train;

import io.nerva.annotations.ActivationType;
import io.nerva.runtime.core.Network;
import io.nerva.runtime.core.Workspace;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.loss.Loss;
import io.nerva.runtime.metric.Metric;
import io.nerva.runtime.progress.ProgressBar;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loss and metrics over a dataset through one inference workspace, reused across calls (validation every epoch). */
final class BatchEvaluator implements AutoCloseable {
    private final Network model;
    private final Loss loss;
    private final ActivationType outputActivation;
    private final int capacity;
    private final Arena arena = Arena.ofShared();
    private final Workspace ws;
    private final MemorySegment targets;
    private final int targetColumns;

    BatchEvaluator(Network model, Loss loss, int capacity, int targetColumns, long seed) {
        this.model = model;
        this.loss = loss;
        this.outputActivation = model.outputActivation();
        this.capacity = capacity;
        this.targetColumns = targetColumns;
        this.ws = model.newWorkspace(capacity, false, seed);
        this.targets = arena.allocate((long) capacity * targetColumns * Float.BYTES, 64);
    }

    /** The loss averaged per sample; the metrics are reset first and hold this pass's results after. */
    double run(Dataset data, Metric[] metrics) {
        return run(data, metrics, null);
    }

    /** As {@link #run(Dataset, Metric[])}, moving {@code bar} (null for none) one step per batch. */
    double run(Dataset data, Metric[] metrics, ProgressBar bar) {
        for (Metric m : metrics) m.reset();
        double[] sofar = new double[2]; // loss sum, samples
        ProgressBar.Values values = bar == null
                ? null
                : () -> {
                    Map<String, Double> v = new LinkedHashMap<>();
                    v.put("loss", sofar[0] / sofar[1]);
                    for (Metric m : metrics) v.put(m.name(), m.result());
                    return v;
                };
        int step = 0;
        int n = data.size();
        int cols = model.outputSize();
        double sum = 0;
        for (int start = 0; start < n; start += capacity) {
            int rows = Math.min(capacity, n - start);
            data.copyFeatures(start, rows, ws.input(), 0);
            data.copyTargets(start, rows, targets, 0);
            long gate = model.parameters().beginRead(model.name());
            try {
                model.forward(ws, rows, false);
            } finally {
                model.parameters().endRead(gate);
            }
            sum += rows
                    * loss.compute(ws.logits(), ws.output(), targets, rows, cols, outputActivation, MemorySegment.NULL);
            for (Metric m : metrics) m.update(ws.output(), targets, rows, cols, targetColumns);
            if (bar != null) {
                sofar[0] = sum;
                sofar[1] += rows;
                bar.update(++step, values);
            }
        }
        double mean = sum / n;
        Regularization penalties = Regularization.of(model.parameters());
        if (penalties == null) return mean;
        long gate = model.parameters().beginRead(model.name());
        try {
            return mean + penalties.penalty(model.parameters().values()); // as Keras: the reported loss includes it
        } finally {
            model.parameters().endRead(gate);
        }
    }

    @Override
    public void close() {
        try {
            ws.close();
        } finally {
            arena.close();
        }
    }
}
