package io.nerva.runtime.metric;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** ROC AUC and average precision on cases worked by hand (the first is scikit-learn's documentation example). */
class AucTest {
    private static final double[] SCORES = {0.1, 0.4, 0.35, 0.8};
    private static final boolean[] POSITIVE = {false, false, true, true};

    @Test
    void rocAucCountsOrderedPairs() {
        // pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3 of 4
        assertEquals(0.75, Auc.roc(SCORES, POSITIVE), 1e-15);
        // a tie between a positive and a negative counts half: pairs 1, 0.5, 1, 1 -> 3.5 / 4
        assertEquals(0.875, Auc.roc(new double[] {0.1, 0.4, 0.4, 0.8}, POSITIVE), 1e-15);
        assertEquals(1.0, Auc.roc(new double[] {0, 0, 1, 1}, POSITIVE));
        assertEquals(0.0, Auc.roc(new double[] {1, 1, 0, 0}, POSITIVE));
    }

    @Test
    void averagePrecisionSumsPrecisionAtEachRecallStep() {
        // descending: 0.8 (+) P=1 R=.5; 0.4 (-) P=.5 R=.5; 0.35 (+) P=2/3 R=1; 0.1 (-) -> .5*1 + .5*2/3
        assertEquals(0.5 + 0.5 * 2.0 / 3, Auc.averagePrecision(SCORES, POSITIVE), 1e-15);
        // tied scores are one threshold: {0.4 (-), 0.4 (+)} together give P=2/3 at R=1
        assertEquals(0.5 + 0.5 * 2.0 / 3, Auc.averagePrecision(new double[] {0.1, 0.4, 0.4, 0.8}, POSITIVE), 1e-15);
    }

    @Test
    void oneVsRestAveragesTheColumns() {
        float[][] outputs = {{0.9f, 0.1f}, {0.6f, 0.4f}, {0.65f, 0.35f}, {0.2f, 0.8f}};
        int[] labels = {0, 0, 1, 1};
        // column 1 is SCORES/POSITIVE: 0.75; column 0 scores class 0 with 1 - column 1: also 0.75
        assertEquals(0.75, Auc.rocOneVsRest(outputs, labels, Average.MACRO), 1e-6);
        assertEquals(0.75, Auc.rocOneVsRest(outputs, labels, Average.WEIGHTED), 1e-6);
        // class 0: descending 0.9(+) P1 R.5, 0.65(-), 0.6(+) P2/3 R1 -> .5 + .5*2/3; class 1 the same
        assertEquals(0.5 + 0.5 * 2.0 / 3, Auc.averagePrecisionOneVsRest(outputs, labels, Average.MACRO), 1e-6);
    }

    @Test
    void undefinedCasesSaySo() {
        assertEquals(
                "ROC AUC needs both classes; got 0 positive and 2 negative samples",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Auc.roc(new double[] {1, 2}, new boolean[] {false, false}))
                        .getMessage());
        assertEquals(
                "expected one label per score (2), got 1",
                assertThrows(IllegalArgumentException.class, () -> Auc.roc(new double[] {1, 2}, new boolean[] {true}))
                        .getMessage());
        assertEquals(
                "score 1 is NaN",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Auc.averagePrecision(new double[] {1, Double.NaN}, new boolean[] {true, false}))
                        .getMessage());
        assertEquals(
                "class 2: ROC AUC needs both classes; got 0 positive and 2 negative samples",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Auc.rocOneVsRest(
                                        new float[][] {{1, 0, 0}, {0, 1, 0}}, new int[] {0, 1}, Average.MACRO))
                        .getMessage());
    }
}
