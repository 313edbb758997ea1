package io.nerva.processor.model;

/**
 * A field's {@code @Regularize}: L1 and L2 factors for the layer's main weight tensor ({@code kernel},
 * {@code embeddings}, {@code alpha}) and for its {@code bias}. The runtime adds the penalties to the loss and
 * their derivatives to the gradients.
 */
public record Regularization(double kernelL1, double kernelL2, double biasL1, double biasL2) {
    public static final Regularization NONE = new Regularization(0, 0, 0, 0);

    /** The suffix of the tensor the kernel penalties apply to, for a layer whose first tensor is {@code first}. */
    public static boolean isKernelTensor(String suffix) {
        return suffix.equals("kernel") || suffix.equals("embeddings") || suffix.equals("alpha");
    }

    /** {@code {l1, l2}} for the tensor {@code suffix} of the layer. */
    public double[] factors(String suffix) {
        if (isKernelTensor(suffix)) return new double[] {kernelL1, kernelL2};
        if (suffix.equals("bias")) return new double[] {biasL1, biasL2};
        return new double[] {0, 0};
    }
}
