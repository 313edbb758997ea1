package io.nerva.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.nerva.annotations.Initializer;
import io.nerva.runtime.core.ParamSpec;
import io.nerva.runtime.core.Parameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds small models and writes safetensors bytes by hand, independently of {@link SafeTensors}. */
final class Fixtures {
    private Fixtures() {}

    /** Parameters for tensors given as name, shape, name, shape, ... laid out back to back. */
    static Parameters parameters(Object... namesAndShapes) {
        List<ParamSpec> specs = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < namesAndShapes.length; i += 2) {
            String name = (String) namesAndShapes[i];
            int[] shape = (int[]) namesAndShapes[i + 1];
            ParamSpec spec = new ParamSpec(name, shape, offset, Initializer.ZEROS, 0f, 0, 0);
            specs.add(spec);
            offset += spec.size();
        }
        return new Parameters(specs, false);
    }

    /** Two dense layers: hidden 4 → 3, out 3 → 2. */
    static Parameters denseModel() {
        return parameters(
                "hidden.kernel",
                new int[] {4, 3},
                "hidden.bias",
                new int[] {3},
                "out.kernel",
                new int[] {3, 2},
                "out.bias",
                new int[] {2});
    }

    /** Dense and conv tensors together. */
    static Parameters mixedModel() {
        return parameters(
                "dense.kernel",
                new int[] {4, 3},
                "dense.bias",
                new int[] {3},
                "conv.kernel",
                new int[] {3, 3, 2, 4},
                "conv.bias",
                new int[] {4});
    }

    static float[] fillRandom(Parameters params, long seed) {
        Random random = new Random(seed);
        float[] values = new float[(int) params.count()];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        params.copyFrom(values);
        return values;
    }

    /** A whole file: little-endian length of {@code json}, {@code json} itself, then {@code data}. */
    static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    static byte[] f64(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        return b.array();
    }

    static byte[] f16(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return b.array();
    }

    /** Exact only for values whose low 16 mantissa bits are zero. */
    static byte[] bf16(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static float[] range(int n, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = start + i;
        return v;
    }

    /** Bit-exact comparison, so NaN payloads and -0.0 count. */
    static void assertBitsEqual(float[] expected, float[] actual) {
        assertArrayEquals(bits(expected), bits(actual));
    }

    static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
        return bits;
    }
}
