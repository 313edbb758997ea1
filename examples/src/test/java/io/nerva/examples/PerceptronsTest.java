package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.classic.Perceptron;
import org.junit.jupiter.api.Test;

/** What a single perceptron cannot do on XOR, the two-layer network and the hand-built sign network do. */
class PerceptronsTest {

    @Test
    void onePerceptronFailsXorWhereTwoLayersSucceed() {
        Perceptron p = new Perceptron(2);
        int[] errors = p.fit(Perceptrons.X, Perceptrons.XOR, 50_000, 0.1);
        for (int e : errors) assertTrue(e > 0, "a perceptron epoch without a mistake on XOR");
        assertTrue(p.errors(Perceptrons.X, Perceptrons.XOR) > 0);
        assertEquals(1.0, Xor.run(1, false).get("accuracy"), "the 2-4-1 network gets all four");
    }

    @Test
    void handBuiltSignNetworkComputesXor() {
        var xor = Perceptrons.handBuiltXor();
        float[][] x = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
        float[] want = {-1, 1, 1, -1};
        for (int r = 0; r < 4; r++) assertEquals(want[r], xor.output(x[r])[0]);
    }
}
