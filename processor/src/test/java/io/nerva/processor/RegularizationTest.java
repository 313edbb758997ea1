package io.nerva.processor;

import static io.nerva.processor.Sources.assertError;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nerva.annotations.LossFunction;
import io.nerva.processor.checking.Message;
import io.nerva.processor.nets.RegularizedModel;
import io.nerva.processor.nets.UnregularizedModel;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code @Regularize}: the penalties reach the parameter specs, the reported loss and the gradient, checked
 * against an unregularized twin with the same weights plus the penalty computed here by hand.
 */
class RegularizationTest {
    private static final double L1 = 0.01, L2 = 0.02, BIAS_L2 = 0.03, OUT_L2 = 0.05;

    private static Dataset data() {
        float[] x = {0.5f, -1f, 2f, 1f, 0.3f, -0.7f, -1.5f, 0.2f, 0.9f};
        float[] y = {0.1f, -0.4f, 1f, 0.5f, -0.2f, 0.3f};
        return Dataset.of(x, new int[] {3}, y, 2);
    }

    /** Σ l1·|w| + l2·w² over the penalised tensors, written out per tensor. */
    private static double penalty(RegularizedModel m) {
        double p = 0;
        for (float w : m.hidden.kernel().get()) p += L1 * Math.abs(w) + L2 * w * w;
        for (float b : m.hidden.bias().get()) p += BIAS_L2 * b * b;
        for (float w : m.out.kernel().get()) p += OUT_L2 * w * w;
        return p;
    }

    @Test
    void specsCarryThePenaltiesOfTheirTensors() {
        try (RegularizedModel m = RegularizedModel.create(1)) {
            Map<String, ParamSpec> specs = new java.util.HashMap<>();
            m.parameters().specs().forEach(s -> specs.put(s.name(), s));
            assertEquals(L1, specs.get("hidden.kernel").l1());
            assertEquals(L2, specs.get("hidden.kernel").l2());
            assertEquals(0.0, specs.get("hidden.bias").l1());
            assertEquals(BIAS_L2, specs.get("hidden.bias").l2());
            assertEquals(OUT_L2, specs.get("out.kernel").l2());
            assertEquals(false, specs.get("out.bias").regularized());
        }
    }

    @Test
    void evaluateReportsTheDataLossPlusThePenalty() {
        try (RegularizedModel reg = RegularizedModel.create(3);
                UnregularizedModel twin = UnregularizedModel.create(3)) {
            reg.hidden.bias().set(new float[] {0.2f, -0.1f, 0.3f, 0.05f}); // a nonzero bias, so its penalty counts
            twin.parameters().copyFrom(reg.parameters().toArray());
            Fit fit = Fit.epochs(1).loss(LossFunction.MEAN_SQUARED_ERROR).verbose(false);
            double plain = twin.evaluate(data(), fit).get("loss");
            assertEquals(plain + penalty(reg), reg.evaluate(data(), fit).get("loss"), 1e-6);
        }
    }

    @Test
    void oneTrainingStepAddsThePenaltysGradient() {
        double lr = 0.1;
        try (RegularizedModel reg = RegularizedModel.create(5);
                UnregularizedModel twin = UnregularizedModel.create(5)) {
            reg.hidden.bias().set(new float[] {0.2f, -0.1f, 0.3f, 0.05f});
            float[] before = reg.parameters().toArray();
            twin.parameters().copyFrom(before);
            double expectedLoss = twin.evaluate(
                                    data(),
                                    Fit.epochs(1)
                                            .loss(LossFunction.MEAN_SQUARED_ERROR)
                                            .verbose(false))
                            .get("loss")
                    + penalty(reg);
            Fit step = Fit.epochs(1)
                    .batch(3)
                    .shuffle(false)
                    .optimizer(Optimizers.sgd(lr))
                    .loss(LossFunction.MEAN_SQUARED_ERROR)
                    .verbose(false);
            double reported = reg.fit(data(), step).get("loss")[0];
            twin.fit(data(), step);
            assertEquals(expectedLoss, reported, 1e-6, "the training loss includes the penalty");
            float[] after = reg.parameters().toArray(),
                    plainAfter = twin.parameters().toArray();
            for (ParamSpec s : reg.parameters().specs()) {
                for (long i = s.offset(); i < s.offset() + s.size(); i++) {
                    double w = before[(int) i];
                    double extra = s.l1() * Math.signum(w) + 2 * s.l2() * w;
                    assertEquals(
                            plainAfter[(int) i] - lr * extra,
                            after[(int) i],
                            1e-6,
                            s.name() + "[" + (i - s.offset()) + "]");
                }
            }
        }
    }

    @Test
    void badPenaltiesAreCompileErrorsOnTheirField() {
        JavaFileObject f = network(
                "@Network(input = {4}) abstract class Net",
                "@Regularize(kernelL2 = -0.01) @Dense(3) Layer hidden;",
                "@Regularize(biasL2 = 0.1) @Dense(value = 2, useBias = false) Layer out;");
        assertError(f, Message.REGULARIZE_VALUE.format("hidden", "kernelL2", -0.01), "Layer hidden;");
        assertError(f, Message.REGULARIZE_NO_TENSOR.format("out", "biasL2", "bias", "Dense"), "Layer out;");
        JavaFileObject pool = network(
                "@Network(input = {4, 4, 1}) abstract class Net",
                "@Regularize(kernelL1 = 0.1) @MaxPool2D(size = 2) Layer pool;",
                "@Flatten Layer flat;");
        assertError(
                pool, Message.REGULARIZE_NO_TENSOR.format("pool", "kernelL1", "weight", "MaxPooling2D"), "Layer pool;");
        JavaFileObject alone = network(
                "@Network(input = {4}) abstract class Net",
                "@Regularize(kernelL2 = 0.1) Layer extra;", "@Dense(2) Layer out;");
        assertError(alone, Message.REGULARIZE_WITHOUT_LAYER.format("extra"), "Layer extra;");
    }
}
