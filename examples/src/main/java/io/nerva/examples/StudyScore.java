package io.nerva.examples;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;

/**
 * The course's regression: hours slept and hours studied → test score. Inputs are scaled by
 * their maximum and scores by 100 so that a sigmoid output fits them.
 */
public final class StudyScore {
    private StudyScore() {}

    /** Hours slept, hours studied, score. */
    static final float[][] DATA = {{3, 5, 75}, {5, 1, 82}, {10, 2, 93}, {6, 4, 85}, {8, 3, 88}, {4, 6, 80}, {7, 7, 94}};

    public static Dataset dataset() {
        float[][] x = new float[DATA.length][];
        float[][] y = new float[DATA.length][];
        for (int i = 0; i < DATA.length; i++) {
            x[i] = new float[] {DATA[i][0] / 10f, DATA[i][1] / 10f};
            y[i] = new float[] {DATA[i][2] / 100f};
        }
        return Dataset.of(x, y);
    }

    public static void main(String[] args) {
        try (StudyScoreNetModel net = StudyScoreNetModel.create(5)) {
            Fit fit = Fit.epochs(2000)
                    .batch(7)
                    .optimizer(Optimizers.adam(0.01))
                    .metrics(Metrics.mae(), Metrics.rmse())
                    .verbose(false);
            net.fit(dataset(), fit);
            var result = net.evaluate(dataset(), fit);
            System.out.printf(
                    "mean absolute error %.1f points, RMSE %.1f points%n",
                    100 * result.get("mae"), 100 * result.get("rmse"));
            for (float[] row : DATA) {
                float predicted = 100 * net.predict(new float[] {row[0] / 10f, row[1] / 10f})[0];
                System.out.printf(
                        "slept %2.0f h, studied %.0f h: score %.0f, predicted %.1f%n",
                        row[0], row[1], row[2], predicted);
            }
        }
    }
}
