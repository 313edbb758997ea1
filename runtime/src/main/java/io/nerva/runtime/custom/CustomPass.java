package io.nerva.runtime.custom;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The buffers one call of a {@link CustomLayer} sees: {@code rows} samples of {@link #inputSize()} inputs
 * and {@link #outputSize()} outputs (batch-first, each sample's values in row-major order of its shape),
 * the layer's parameters and, in backward, the gradients. Every buffer is a bounds-checked slice of exactly
 * its size: an index outside is an {@link IndexOutOfBoundsException}, never another layer's memory.
 */
public final class CustomPass {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private final CustomSpec spec;
    private final int rows;
    private final MemorySegment in, out, outGrad, inGrad;
    private final MemorySegment[] params, grads;

    CustomPass(
            CustomSpec spec,
            int rows,
            MemorySegment in,
            MemorySegment out,
            MemorySegment outGrad,
            MemorySegment inGrad,
            MemorySegment[] params,
            MemorySegment[] grads) {
        this.spec = spec;
        this.rows = rows;
        this.in = in;
        this.out = out;
        this.outGrad = outGrad;
        this.inGrad = inGrad;
        this.params = params;
        this.grads = grads;
    }

    public int rows() {
        return rows;
    }

    public int[] inputShape() {
        return spec.inputShape().clone();
    }

    public int[] outputShape() {
        return spec.outputShape().clone();
    }

    /** Floats per input sample. */
    public int inputSize() {
        return spec.inputSize();
    }

    /** Floats per output sample. */
    public int outputSize() {
        return spec.outputSize();
    }

    /** The field's {@code @Custom(units = …)}, 0 when not given. */
    public int units() {
        return spec.units();
    }

    public float input(int row, int i) {
        return in.getAtIndex(F, (long) row * spec.inputSize() + i);
    }

    public float output(int row, int i) {
        return out.getAtIndex(F, (long) row * spec.outputSize() + i);
    }

    public void setOutput(int row, int i, float value) {
        out.setAtIndex(F, (long) row * spec.outputSize() + i, value);
    }

    /** In backward: dLoss/d output. */
    public float outputGrad(int row, int i) {
        return outGrad.getAtIndex(F, (long) row * spec.outputSize() + i);
    }

    /** In backward: whether an earlier layer needs dLoss/d input (false for a first layer, which saves the work). */
    public boolean needsInputGrad() {
        return !MemorySegment.NULL.equals(inGrad);
    }

    /** In backward: adds to dLoss/d input (zeroed before the call); ignored when {@link #needsInputGrad()} is false. */
    public void addInputGrad(int row, int i, float value) {
        if (MemorySegment.NULL.equals(inGrad)) return;
        long at = (long) row * spec.inputSize() + i;
        inGrad.setAtIndex(F, at, inGrad.getAtIndex(F, at) + value);
    }

    /** The number of parameter tensors the class's {@code @CustomShape} declares. */
    public int paramCount() {
        return params.length;
    }

    /** The index of the parameter tensor {@code name}, as declared. */
    public int paramIndex(String name) {
        String[] names = spec.paramNames();
        for (int p = 0; p < names.length; p++) if (names[p].equals(name)) return p;
        throw new IllegalArgumentException(
                spec.layer() + " has no parameter '" + name + "'; it has " + Arrays.toString(names));
    }

    public int[] paramShape(int p) {
        return spec.paramShapes()[p].clone();
    }

    /** Value {@code i} (row-major in its shape) of parameter tensor {@code p}. */
    public float param(int p, long i) {
        return params[p].getAtIndex(F, i);
    }

    /** In backward: adds to dLoss/d parameter (zeroed before the call). */
    public void addParamGrad(int p, long i, float value) {
        MemorySegment g = grads[p];
        g.setAtIndex(F, i, g.getAtIndex(F, i) + value);
    }

    /** The raw buffers, for bulk loops: {@code rows × inputSize()} floats. */
    public MemorySegment inputs() {
        return in;
    }

    /** {@code rows × outputSize()} floats. */
    public MemorySegment outputs() {
        return out;
    }
}
