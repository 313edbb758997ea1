package io.nerva.runtime.classic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassicUnitsTest {
    static final float[][] X = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    static final int[] AND = {0, 0, 0, 1}, OR = {0, 1, 1, 1}, XOR = {0, 1, 1, 0};

    @Test
    void perceptronLearnsAndAndOr() {
        for (int[] y : new int[][] {AND, OR}) {
            Perceptron p = new Perceptron(2);
            int[] errors = p.fit(X, y, 100, 0.1);
            assertEquals(0, p.errors(X, y), p.toString());
            for (int r = 0; r < 4; r++) assertEquals(y[r], p.predict(X[r]));
            assertTrue(errors[0] > 0, "the zero weights start wrong");
        }
    }

    @Test
    void perceptronRuleIsRosenblatts() {
        // one wrong sample: w += η(y − ŷ)x, b += η(y − ŷ); ŷ = step(0) = 1 for the zero weights
        Perceptron p = new Perceptron(new float[] {0, 0}, 0);
        p.fit(new float[][] {{2, 3}}, new int[] {0}, 1, 0.5);
        assertArrayEquals(new float[] {-1f, -1.5f}, p.weights());
        assertEquals(-0.5f, p.bias());
        // right answers change nothing
        Perceptron q = new Perceptron(new float[] {1, 1}, 0);
        q.fit(new float[][] {{2, 3}}, new int[] {1}, 5, 0.5);
        assertArrayEquals(new float[] {1, 1}, q.weights());
    }

    @Test
    void perceptronNeverSeparatesXor() {
        for (double rate : new double[] {0.01, 0.1, 1}) {
            Perceptron p = new Perceptron(2);
            int[] errors = p.fit(X, XOR, 20_000, rate);
            for (int e = 0; e < errors.length; e++) assertTrue(errors[e] > 0, "epoch " + e + " made no mistake on XOR");
            assertTrue(p.errors(X, XOR) >= 1, p.toString());
        }
    }

    @Test
    void adalineLearnsAndAndOrWithAFallingError() {
        for (int[] y : new int[][] {AND, OR}) {
            Adaline a = new Adaline(2);
            double[] err = a.fit(X, y, 200, 0.1);
            for (int e = 1; e < err.length; e++) assertTrue(err[e] <= err[e - 1] + 1e-12, "error rose at epoch " + e);
            assertEquals(0, a.errors(X, y), a.toString());
        }
    }

    @Test
    void adalineDeltaRuleMatchesAHandStep() {
        // z = 0 for all samples; t = ±1; Δw = η·mean(t·x), Δb = η·mean(t)
        Adaline a = new Adaline(2);
        a.fit(X, AND, 1, 0.5);
        // mean(t·x1) = (0 + 0 − 1 + 1)/4 = 0; mean(t·x2) = (0 − 1 + 0 + 1)/4 = 0; mean(t) = (−3 + 1)/4 = −0.5
        assertArrayEquals(new float[] {0f, 0f}, a.weights());
        assertEquals(-0.25f, a.bias());
    }

    @Test
    void adalineOnXorIsNoBetterThanTheConstant() {
        Adaline a = new Adaline(2);
        double[] err = a.fit(X, XOR, 5_000, 0.05);
        assertTrue(a.error(X, XOR) > 0.49, "least squares on XOR keeps error 0.5, got " + a.error(X, XOR));
        assertTrue(err[err.length - 1] > 0.49);
    }

    @Test
    void handBuiltXorFromSignUnits() {
        SignNetwork xor = SignNetwork.builder(2)
                .layer(new float[][] {{1, 1}, {1, 1}}, new float[] {1, -1})
                .layer(new float[][] {{1, -1}}, new float[] {-1})
                .build();
        float[][] bipolar = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
        float[] want = {-1, 1, 1, -1};
        for (int r = 0; r < 4; r++) assertEquals(want[r], xor.output(bipolar[r])[0], "case " + r);
        assertArrayEquals(new float[] {1, -1}, xor.activations(new float[] {1, -1})[0], "OR fires, AND does not");
    }

    @Test
    void badInputSaysWhatWasExpected() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new Perceptron(2).fit(X, new int[] {0, 1, 2, 0}, 1, 0.1));
        assertEquals("label 2: expected 0 or 1, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adaline(3).predict(new float[] {1, 2}));
        assertEquals("sample: expected 3 inputs, got 2", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SignNetwork.builder(2).layer(new float[][] {{1, 1, 1}}, new float[] {0}));
        assertEquals("layer 0, unit 0 weights: expected 2 inputs, got 3", e.getMessage());
    }
}
