package io.nerva.runtime.metric;

/** How per-class precision, recall and F1 are combined into one number, as scikit-learn's {@code average}. */
public enum Average {
    /** The unweighted mean over classes: every class counts the same. */
    MACRO,
    /** From the total true positives, false positives and false negatives: for single-label data, all three equal the accuracy. */
    MICRO,
    /** The mean over classes weighted by support (the number of true samples of each class). */
    WEIGHTED
}
