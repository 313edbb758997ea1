package io.nerva.processor;

import static io.nerva.processor.GeneratedNetworkTest.forward;
import static io.nerva.processor.GeneratedNetworkTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nerva.processor.nets.conv.ConvDilatedModel;
import io.nerva.processor.nets.conv.ConvPointwiseModel;
import io.nerva.processor.nets.conv.ConvSameStrideModel;
import io.nerva.processor.nets.conv.ConvValidOddModel;
import io.nerva.processor.nets.conv.SmallCnnModel;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Generated convolutions against a direct convolution written here (loops over n, oy, ox, co,
 * ky, kx, ci with explicit padding, in double precision), so neither im2col nor the output-size
 * formulas of the processor are trusted. Shapes below are one sample's {@code {h, w, c}}.
 */
class ConvNetworkTest {
    static final DoubleUnaryOperator TANH = Math::tanh;
    static final DoubleUnaryOperator SIGMOID = v -> 1 / (1 + Math.exp(-v));
    static final DoubleUnaryOperator LINEAR = v -> v;

    /** An NHWC batch in double precision and its per-sample shape. */
    record Images(double[] v, int n, int h, int w, int c) {
        static Images of(float[] x, int n, int h, int w, int c) {
            double[] d = new double[x.length];
            for (int i = 0; i < x.length; i++) d[i] = x[i];
            return new Images(d, n, h, w, c);
        }

        double at(int b, int y, int x, int ch) {
            return v[((b * h + y) * w + x) * c + ch];
        }
    }

    /** Keras output size and the padding before the first row/column, computed here from the definitions. */
    static int[] sizeAndPad(int in, int k, int s, int d, boolean same) {
        int span = d * (k - 1) + 1;
        if (!same) return new int[] {(in - span) / s + 1, 0};
        int out = (int) Math.ceil(in / (double) s);
        int total = Math.max((out - 1) * s + span - in, 0);
        return new int[] {out, total / 2};
    }

    /** Direct convolution, kernel {@code [kh, kw, cin, cout]}, then bias and activation. */
    static Images conv(Images x, Layer layer, int sh, int sw, int dh, int dw, boolean same, DoubleUnaryOperator act) {
        int[] ks = layer.kernel().shape();
        int kh = ks[0], kw = ks[1], cin = ks[2], cout = ks[3];
        assertEquals(x.c(), cin, "kernel input channels");
        float[] k = layer.kernel().get();
        float[] b = layer.hasBias() ? layer.bias().get() : new float[cout];
        int[] ry = sizeAndPad(x.h(), kh, sh, dh, same), rx = sizeAndPad(x.w(), kw, sw, dw, same);
        int oh = ry[0], ow = rx[0], padTop = ry[1], padLeft = rx[1];
        double[] out = new double[x.n() * oh * ow * cout];
        for (int n = 0; n < x.n(); n++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int co = 0; co < cout; co++) {
                        double s = b[co];
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                                for (int ci = 0; ci < cin; ci++) {
                                    int iy = oy * sh + ky * dh - padTop, ix = ox * sw + kx * dw - padLeft;
                                    if (iy < 0 || iy >= x.h() || ix < 0 || ix >= x.w()) continue; // zero padding
                                    s += x.at(n, iy, ix, ci) * k[((ky * kw + kx) * cin + ci) * cout + co];
                                }
                        out[((n * oh + oy) * ow + ox) * cout + co] = act.applyAsDouble(s);
                    }
        return new Images(out, x.n(), oh, ow, cout);
    }

    static void assertClose(double[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what + ": output size");
        for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], tolerance, what + ": output " + i);
    }

    static Images input(Model m, int rows, long seed) {
        int[] s = m.inputShape();
        return Images.of(random(rows * m.inputSize(), seed), rows, s[0], s[1], s[2]);
    }

    static float[] run(Model m, Images x) {
        float[] f = new float[x.v().length];
        for (int i = 0; i < f.length; i++) f[i] = (float) x.v()[i];
        return forward(m, f, x.n());
    }

    @Test
    void validOnOddSizes() {
        try (var m = ConvValidOddModel.create(1)) {
            Images x = input(m, 3, 5);
            assertArrayEquals(new int[] {3, 5, 4}, m.conv.outputShape());
            assertClose(conv(x, m.conv, 1, 1, 1, 1, false, TANH).v(), run(m, x), 1e-5, "ConvValidOdd");
        }
    }

    @Test
    void sameWithStride2AndRectangularKernel() {
        try (var m = ConvSameStrideModel.create(2)) {
            Images x = input(m, 2, 6);
            assertArrayEquals(new int[] {4, 3, 3}, m.conv.outputShape());
            assertArrayEquals(new int[] {3, 2, 2, 3}, m.conv.kernel().shape());
            assertClose(conv(x, m.conv, 2, 2, 1, 1, true, SIGMOID).v(), run(m, x), 1e-5, "ConvSameStride");
        }
    }

    @Test
    void dilationAndRectangularStrides() {
        try (var m = ConvDilatedModel.create(3)) {
            Images x = input(m, 2, 7);
            assertArrayEquals(new int[] {9, 8, 4}, m.a.outputShape());
            assertArrayEquals(new int[] {4, 4, 2}, m.b.outputShape());
            Images a = conv(x, m.a, 1, 1, 2, 2, true, TANH);
            Images b = conv(a, m.b, 2, 1, 1, 2, false, LINEAR);
            assertClose(b.v(), run(m, x), 1e-5, "ConvDilated");
        }
    }

    @Test
    void pointwiseAfterSame() {
        try (var m = ConvPointwiseModel.create(4)) {
            Images x = input(m, 3, 8);
            Images a = conv(x, m.a, 1, 1, 1, 1, true, TANH);
            assertClose(conv(a, m.pw, 1, 1, 1, 1, false, TANH).v(), run(m, x), 1e-5, "ConvPointwise");
        }
    }

    @Test
    void endToEndSmallCnn() {
        try (var m = SmallCnnModel.create(5)) {
            Images x = input(m, 3, 9);
            Images c1 = conv(x, m.conv1, 1, 1, 1, 1, true, TANH);
            Images p1 = PoolNetworkTest.maxPool(c1, 2, 2, 2, 2, false);
            Images c2 = conv(p1, m.conv2, 1, 1, 1, 1, false, TANH);
            float[] flat = new float[c2.v().length];
            for (int i = 0; i < flat.length; i++) flat[i] = (float) c2.v()[i];
            double[] want = GeneratedNetworkTest.reference(flat, 3, m.out, "softmax");
            assertClose(want, run(m, x), 1e-5, "SmallCnn");
        }
    }

    @Test
    void inferenceWorkspaceMatchesTrainingWorkspace() {
        try (var m = SmallCnnModel.create(6);
                var inf = SmallCnnModel.forInference()) {
            inf.parameters().copyFrom(m.parameters().toArray());
            Images x = input(m, 2, 10);
            assertArrayEquals(run(m, x), run(inf, x));
        }
    }
}
