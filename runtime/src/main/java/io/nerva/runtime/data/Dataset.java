package io.nerva.runtime.data;

import io.nerva.runtime.core.Finite;
import io.nerva.runtime.core.Rng;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable set of samples, batch first: {@code size × sampleSize} feature floats and
 * {@code size × targetColumns} target floats. Every factory copies its arrays and rejects
 * ragged rows, NaN/Inf features and out-of-range labels with a message naming the row and column.
 *
 * <p>Targets are either regression values, one-hot rows ({@link #classification}), or one
 * column of class indices ({@link #withSparseLabels}); {@link #labels()} reads the classes back.
 */
public final class Dataset {
    private final float[] features;
    private final int[] sampleShape;
    private final int sampleSize;
    private final float[] targets;
    private final int targetColumns;
    private final int size;
    private final int classes; // 0 when the targets are not class labels
    private final boolean sparseLabels; // one column holding the class index
    private final List<String> classNames;

    /** The train and test parts of a {@link #split}. */
    public record Split(Dataset train, Dataset test) {}

    /** Takes ownership of the arrays: callers in this package have already copied and validated them. */
    Dataset(
            float[] features,
            int[] sampleShape,
            float[] targets,
            int targetColumns,
            int classes,
            boolean sparseLabels,
            List<String> classNames) {
        this.features = features;
        this.sampleShape = sampleShape;
        this.sampleSize = checkedSampleSize(sampleShape);
        this.targets = targets;
        this.targetColumns = targetColumns;
        this.size = features.length / sampleSize;
        this.classes = classes;
        this.sparseLabels = sparseLabels;
        this.classNames = List.copyOf(classNames);
    }

    // ---------------------------------------------------------------- factories

    /** Regression (or any numeric) targets, one row of {@code x} and {@code y} per sample. */
    public static Dataset of(float[][] x, float[][] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
        }
        float[] flatX = flatten(x, "features");
        float[] flatY = flatten(y, "targets");
        int[] shape = {x[0].length};
        checkFinite(flatX, shape[0], "features");
        checkFinite(flatY, y[0].length, "targets");
        return new Dataset(flatX, shape, flatY, y[0].length, 0, false, List.of());
    }

    /** Flat, row-major features of the given sample shape and flat targets of {@code targetColumns} per sample. */
    public static Dataset of(float[] flatX, int[] sampleShape, float[] flatY, int targetColumns) {
        Objects.requireNonNull(flatX, "flatX");
        Objects.requireNonNull(flatY, "flatY");
        int sampleSize = checkedSampleSize(sampleShape);
        int rows = rowsOf(flatX, sampleSize, sampleShape);
        if (targetColumns < 1)
            throw new IllegalArgumentException("targetColumns must be at least 1, got " + targetColumns);
        if ((long) rows * targetColumns != flatY.length) {
            throw new IllegalArgumentException("flatY has " + flatY.length + " floats for " + rows
                    + " samples, expected " + rows + " × " + targetColumns + " = " + (long) rows * targetColumns);
        }
        checkFinite(flatX, sampleSize, "features");
        checkFinite(flatY, targetColumns, "targets");
        return new Dataset(flatX.clone(), sampleShape.clone(), flatY.clone(), targetColumns, 0, false, List.of());
    }

    /** Class labels in {@code [0, classes)}, stored one-hot (for categorical cross-entropy). */
    public static Dataset classification(float[][] x, int[] labels, int classes) {
        return labeled(x, labels, classes, true);
    }

    /** Class labels in {@code [0, classes)}, stored as one float column of class indices (sparse categorical cross-entropy). */
    public static Dataset withSparseLabels(float[][] x, int[] labels, int classes) {
        return labeled(x, labels, classes, false);
    }

    /** Flat features with class labels, one-hot or as one column of indices. */
    public static Dataset labeled(float[] flatX, int[] sampleShape, int[] labels, int classes, boolean oneHot) {
        Objects.requireNonNull(flatX, "flatX");
        int sampleSize = checkedSampleSize(sampleShape);
        int rows = rowsOf(flatX, sampleSize, sampleShape);
        checkFinite(flatX, sampleSize, "features");
        return ofLabels(flatX.clone(), sampleShape.clone(), labels, rows, classes, oneHot, List.of());
    }

    private static Dataset labeled(float[][] x, int[] labels, int classes, boolean oneHot) {
        Objects.requireNonNull(x, "x");
        float[] flatX = flatten(x, "features");
        checkFinite(flatX, x[0].length, "features");
        return ofLabels(flatX, new int[] {x[0].length}, labels, x.length, classes, oneHot, List.of());
    }

    /** Builds the targets from labels; takes ownership of {@code flatX}, which must already be checked. */
    static Dataset ofLabels(
            float[] flatX, int[] shape, int[] labels, int rows, int classes, boolean oneHot, List<String> classNames) {
        Objects.requireNonNull(labels, "labels");
        if (labels.length != rows) {
            throw new IllegalArgumentException("there are " + rows + " samples but " + labels.length + " labels");
        }
        OneHot.checkLabels(labels, classes);
        float[] targets;
        if (oneHot) {
            targets = OneHot.encodeFlat(labels, classes);
        } else {
            targets = new float[rows];
            for (int i = 0; i < rows; i++) targets[i] = labels[i];
        }
        return new Dataset(flatX, shape, targets, oneHot ? classes : 1, classes, !oneHot, classNames);
    }

    // ---------------------------------------------------------------- shape

    /** Number of samples. */
    public int size() {
        return size;
    }

    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** Floats per sample (the product of the sample shape). */
    public int sampleSize() {
        return sampleSize;
    }

    /** Target floats per sample. */
    public int targetColumns() {
        return targetColumns;
    }

    /** Number of classes, or 0 when the targets are not class labels. */
    public int classes() {
        return classes;
    }

    /** Whether the targets are one column of class indices. */
    public boolean sparseLabels() {
        return sparseLabels;
    }

    /** Human-readable class names by index, or an empty list when unknown. */
    public List<String> classNames() {
        return classNames;
    }

    /** The same data with names for its classes. */
    public Dataset withClassNames(List<String> names) {
        if (classes == 0) throw new IllegalStateException("this dataset has no class labels to name");
        if (names.size() != classes) {
            throw new IllegalArgumentException("expected " + classes + " class names, got " + names.size());
        }
        return new Dataset(features, sampleShape, targets, targetColumns, classes, sparseLabels, names);
    }

    // ---------------------------------------------------------------- access (all copies)

    /** A copy of all features, row-major. */
    public float[] features() {
        return features.clone();
    }

    /** A copy of all targets, row-major. */
    public float[] targets() {
        return targets.clone();
    }

    /** A copy of the features of sample {@code i}. */
    public float[] features(int i) {
        checkIndex(i);
        return Arrays.copyOfRange(features, i * sampleSize, (i + 1) * sampleSize);
    }

    /** A copy of the targets of sample {@code i}. */
    public float[] target(int i) {
        checkIndex(i);
        return Arrays.copyOfRange(targets, i * targetColumns, (i + 1) * targetColumns);
    }

    public float feature(int row, int column) {
        checkIndex(row);
        Objects.checkIndex(column, sampleSize);
        return features[row * sampleSize + column];
    }

    /**
     * Copies the features of samples {@code [row, row + rows)} into {@code dst} at a byte offset;
     * allocation-free, for filling a model's input buffer.
     */
    public void copyFeatures(int row, int rows, MemorySegment dst, long dstByteOffset) {
        Objects.checkFromIndexSize(row, rows, size);
        MemorySegment.copy(features, row * sampleSize, dst, ValueLayout.JAVA_FLOAT, dstByteOffset, rows * sampleSize);
    }

    /**
     * Copies features {@code [from, from + count)} of sample {@code row} into {@code dst} at a byte
     * offset; allocation-free (a part of a batch copy split by columns).
     */
    public void copyFeatures(int row, int from, int count, MemorySegment dst, long dstByteOffset) {
        Objects.checkIndex(row, size);
        Objects.checkFromIndexSize(from, count, sampleSize);
        MemorySegment.copy(features, row * sampleSize + from, dst, ValueLayout.JAVA_FLOAT, dstByteOffset, count);
    }

    /** Copies the targets of samples {@code [row, row + rows)} into {@code dst} at a byte offset; allocation-free. */
    public void copyTargets(int row, int rows, MemorySegment dst, long dstByteOffset) {
        Objects.checkFromIndexSize(row, rows, size);
        MemorySegment.copy(
                targets, row * targetColumns, dst, ValueLayout.JAVA_FLOAT, dstByteOffset, rows * targetColumns);
    }

    /**
     * The class of every sample: the index for sparse labels, the argmax (first maximum) of
     * multi-column targets, and {@code target ≥ 0.5} for a single non-sparse column (binary, as
     * Keras' binary accuracy).
     */
    public int[] labels() {
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            int base = i * targetColumns;
            if (sparseLabels) {
                labels[i] = (int) targets[base];
            } else if (targetColumns == 1) {
                labels[i] = targets[base] >= 0.5f ? 1 : 0;
            } else {
                labels[i] = OneHot.argmax(targets, base, targetColumns);
            }
        }
        return labels;
    }

    // ---------------------------------------------------------------- subsets

    /** Samples {@code [from, to)}. */
    public Dataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        return new Dataset(
                Arrays.copyOfRange(features, from * sampleSize, to * sampleSize),
                sampleShape,
                Arrays.copyOfRange(targets, from * targetColumns, to * targetColumns),
                targetColumns,
                classes,
                sparseLabels,
                classNames);
    }

    /** The first {@code n} samples (all when there are fewer). */
    public Dataset take(int n) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative, got " + n);
        return slice(0, Math.min(n, size));
    }

    /** The samples at the given indices, in that order (repeats allowed). */
    public Dataset select(int[] indices) {
        float[] f = new float[indices.length * sampleSize];
        float[] t = new float[indices.length * targetColumns];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            checkIndex(i);
            System.arraycopy(features, i * sampleSize, f, k * sampleSize, sampleSize);
            System.arraycopy(targets, i * targetColumns, t, k * targetColumns, targetColumns);
        }
        return new Dataset(f, sampleShape, t, targetColumns, classes, sparseLabels, classNames);
    }

    /** The samples in an order drawn from {@code seed}. */
    public Dataset shuffled(long seed) {
        return select(permutation(seed));
    }

    /**
     * Shuffles with {@code seed} and puts {@code round(size × testFraction)} samples in the test
     * part, the rest in the train part. The same seed gives the same split.
     */
    public Split split(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
        }
        int test = (int) Math.round(size * testFraction);
        if (test < 1 || test > size - 1) {
            throw new IllegalArgumentException("testFraction " + testFraction + " of " + size + " samples leaves "
                    + (test < 1 ? "no test sample" : "no training sample"));
        }
        int[] perm = permutation(seed);
        return new Split(select(Arrays.copyOfRange(perm, test, size)), select(Arrays.copyOf(perm, test)));
    }

    private int[] permutation(long seed) {
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) perm[i] = i;
        new Rng(seed).shuffle(perm, size);
        return perm;
    }

    /** The same targets with other features (same number of samples and sample size). */
    Dataset withFeatures(float[] newFeatures) {
        return new Dataset(newFeatures, sampleShape, targets, targetColumns, classes, sparseLabels, classNames);
    }

    @Override
    public String toString() {
        String kind = classes == 0
                ? targetColumns + " target column" + (targetColumns == 1 ? "" : "s")
                : classes + " classes, " + (sparseLabels ? "sparse labels" : "one-hot");
        return "Dataset[" + size + " samples of shape " + Arrays.toString(sampleShape) + ", " + kind + "]";
    }

    // ---------------------------------------------------------------- validation helpers

    private void checkIndex(int i) {
        if (i < 0 || i >= size)
            throw new IndexOutOfBoundsException("sample " + i + " out of range for " + size + " samples");
    }

    static int checkedSampleSize(int[] shape) {
        Objects.requireNonNull(shape, "sampleShape");
        if (shape.length == 0) throw new IllegalArgumentException("sampleShape must have at least one dimension");
        long n = 1;
        for (int d : shape) {
            if (d < 1)
                throw new IllegalArgumentException("sampleShape " + Arrays.toString(shape) + " has a dimension < 1");
            n *= d;
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException("sampleShape " + Arrays.toString(shape) + " is too large");
        }
        return (int) n;
    }

    private static int rowsOf(float[] flatX, int sampleSize, int[] shape) {
        if (flatX.length % sampleSize != 0) {
            throw new IllegalArgumentException(
                    "flatX has " + flatX.length + " floats, not a multiple of the sample size " + sampleSize
                            + " (shape " + Arrays.toString(shape) + ")");
        }
        return flatX.length / sampleSize;
    }

    /** Row-major copy; rejects an empty or ragged array, naming the first bad row. */
    private static float[] flatten(float[][] rows, String what) {
        if (rows.length == 0) throw new IllegalArgumentException("no rows of " + what);
        if (rows[0] == null) throw new IllegalArgumentException("row 0 of the " + what + " is null");
        int width = rows[0].length;
        if (width == 0) throw new IllegalArgumentException("row 0 has no " + what);
        if ((long) rows.length * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    rows.length + " rows × " + width + " " + what + " do not fit in one array");
        }
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) throw new IllegalArgumentException("row " + i + " of the " + what + " is null");
            if (rows[i].length != width) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + rows[i].length + " " + what + ", expected " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** Rejects NaN and ±Inf, naming row and column. */
    static void checkFinite(float[] flat, int width, String what) {
        int i = Finite.firstNonFinite(flat);
        if (i >= 0) {
            throw new IllegalArgumentException(
                    "row " + i / width + ", column " + i % width + " of the " + what + " is " + flat[i]);
        }
    }
}
