package io.nerva.runtime.custom;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What generated code calls for a {@code @Custom} field: slices the workspace and parameter buffers to
 * exactly this layer's part, zeroes the gradients backward adds into, and calls the user's class. One
 * {@link CustomPass} (a small object) is created per call.
 */
public final class CustomLayers {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private CustomLayers() {}

    /** An {@link ActivationFunction} as a parameter-free, shape-keeping layer. */
    public static CustomLayer activation(ActivationFunction f) {
        return new ActivationLayer(f);
    }

    public static void forward(
            CustomLayer layer, CustomSpec spec, MemorySegment in, MemorySegment out, MemorySegment w, int rows) {
        layer.forward(new CustomPass(
                spec,
                rows,
                slice(in, rows, spec.inputSize()),
                slice(out, rows, spec.outputSize()),
                MemorySegment.NULL,
                MemorySegment.NULL,
                params(spec, w),
                new MemorySegment[0]));
    }

    /** {@code inGrad} is {@code NULL} when no earlier layer needs it. */
    public static void backward(
            CustomLayer layer,
            CustomSpec spec,
            MemorySegment in,
            MemorySegment out,
            MemorySegment outGrad,
            MemorySegment inGrad,
            MemorySegment w,
            MemorySegment g,
            int rows) {
        MemorySegment dx =
                MemorySegment.NULL.equals(inGrad) ? MemorySegment.NULL : slice(inGrad, rows, spec.inputSize());
        if (!MemorySegment.NULL.equals(dx)) dx.fill((byte) 0);
        MemorySegment[] grads = params(spec, g);
        for (MemorySegment s : grads) s.fill((byte) 0);
        layer.backward(new CustomPass(
                spec,
                rows,
                slice(in, rows, spec.inputSize()),
                slice(out, rows, spec.outputSize()),
                slice(outGrad, rows, spec.outputSize()),
                dx,
                params(spec, w),
                grads));
    }

    private static MemorySegment slice(MemorySegment s, int rows, int perRow) {
        return s.asSlice(0, (long) rows * perRow * Float.BYTES);
    }

    private static MemorySegment[] params(CustomSpec spec, MemorySegment buffer) {
        MemorySegment[] out = new MemorySegment[spec.paramOffsets().length];
        for (int p = 0; p < out.length; p++) {
            out[p] = buffer.asSlice(spec.paramOffsets()[p] * Float.BYTES, spec.paramSize(p) * Float.BYTES);
        }
        return out;
    }

    private record ActivationLayer(ActivationFunction f) implements CustomLayer {
        @Override
        public void forward(CustomPass pass) {
            MemorySegment in = pass.inputs(), out = pass.outputs();
            long n = (long) pass.rows() * pass.inputSize();
            for (long i = 0; i < n; i++) out.setAtIndex(F, i, f.apply(in.getAtIndex(F, i)));
        }

        @Override
        public void backward(CustomPass pass) {
            if (!pass.needsInputGrad()) return;
            int size = pass.inputSize();
            for (int r = 0; r < pass.rows(); r++) {
                for (int i = 0; i < size; i++) {
                    pass.addInputGrad(r, i, pass.outputGrad(r, i) * f.derivative(pass.input(r, i), pass.output(r, i)));
                }
            }
        }
    }
}
