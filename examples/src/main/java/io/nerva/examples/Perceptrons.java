package io.nerva.examples;

import io.nerva.runtime.classic.Adaline;
import io.nerva.runtime.classic.Perceptron;
import io.nerva.runtime.classic.SignNetwork;
import java.util.Arrays;
import java.util.Map;

/**
 * The course's start: a perceptron and an Adaline learn AND and OR; one perceptron never gets XOR right
 * however long it trains, a two-layer network ({@link XorNet}) does, and so does XOR built by hand from sign units.
 */
public final class Perceptrons {
    private Perceptrons() {}

    static final float[][] X = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    static final int[] AND = {0, 0, 0, 1}, OR = {0, 1, 1, 1}, XOR = {0, 1, 1, 0};

    /** The hand-built XOR on bipolar inputs: hidden units OR and AND, output "OR and not AND". */
    public static SignNetwork handBuiltXor() {
        return SignNetwork.builder(2)
                .layer(new float[][] {{1, 1}, {1, 1}}, new float[] {1, -1})
                .layer(new float[][] {{1, -1}}, new float[] {-1})
                .build();
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        for (var task : Map.of("AND", AND, "OR", OR).entrySet()) {
            Perceptron p = new Perceptron(2);
            int[] errors = p.fit(X, task.getValue(), 100, 0.1);
            int used = 0;
            while (used < errors.length && errors[used] > 0) used++;
            System.out.printf("perceptron %-3s: first epoch without a mistake: %d, %s%n", task.getKey(), used + 1, p);
            Adaline a = new Adaline(2);
            double[] err = a.fit(X, task.getValue(), 200, 0.1);
            System.out.printf(
                    "adaline    %-3s: error %.3f -> %.3f over 200 epochs, %d wrong, %s%n",
                    task.getKey(), err[0], a.error(X, task.getValue()), a.errors(X, task.getValue()), a);
        }
        Perceptron p = new Perceptron(2);
        int[] errors = p.fit(X, XOR, epochs, 0.1);
        System.out.printf(
                "perceptron XOR: after %,d epochs, fewest mistakes in an epoch %d, now %d wrong of 4%n",
                epochs, Arrays.stream(errors).min().orElseThrow(), p.errors(X, XOR));
        Map<String, Double> mlp = Xor.run(1, false);
        System.out.printf(
                "2-4-1 network XOR: accuracy %.0f%% (loss %.4f)%n", 100 * mlp.get("accuracy"), mlp.get("loss"));
        SignNetwork xor = handBuiltXor();
        for (float[] x : new float[][] {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}) {
            float[][] a = xor.activations(x);
            System.out.printf(
                    "sign units: %+.0f xor %+.0f -> OR %+.0f, AND %+.0f -> %+.0f%n",
                    x[0], x[1], a[0][0], a[0][1], a[1][0]);
        }
    }
}
