package io.nerva.processor;

import static io.nerva.processor.ConvNetworkTest.TANH;
import static io.nerva.processor.ConvNetworkTest.assertClose;
import static io.nerva.processor.ConvNetworkTest.conv;
import static io.nerva.processor.ConvNetworkTest.input;
import static io.nerva.processor.ConvNetworkTest.run;
import static io.nerva.processor.ConvNetworkTest.sizeAndPad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.nerva.processor.ConvNetworkTest.Images;
import io.nerva.processor.nets.conv.AvgPoolNetModel;
import io.nerva.processor.nets.conv.GlobalAvgNetModel;
import io.nerva.processor.nets.conv.GlobalMaxNetModel;
import io.nerva.processor.nets.conv.MaxPoolNetModel;
import org.junit.jupiter.api.Test;

/** Generated pooling layers against naive pooling written here (SAME: max ignores, average excludes padding). */
class PoolNetworkTest {

    static Images maxPool(Images x, int ph, int pw, int sh, int sw, boolean same) {
        return pool(x, ph, pw, sh, sw, same, true);
    }

    static Images avgPool(Images x, int ph, int pw, int sh, int sw, boolean same) {
        return pool(x, ph, pw, sh, sw, same, false);
    }

    private static Images pool(Images x, int ph, int pw, int sh, int sw, boolean same, boolean max) {
        int[] ry = sizeAndPad(x.h(), ph, sh, 1, same), rx = sizeAndPad(x.w(), pw, sw, 1, same);
        int oh = ry[0], ow = rx[0];
        double[] out = new double[x.n() * oh * ow * x.c()];
        for (int n = 0; n < x.n(); n++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int c = 0; c < x.c(); c++) {
                        double best = Double.NEGATIVE_INFINITY, sum = 0;
                        int cells = 0;
                        for (int ky = 0; ky < ph; ky++)
                            for (int kx = 0; kx < pw; kx++) {
                                int iy = oy * sh + ky - ry[1], ix = ox * sw + kx - rx[1];
                                if (iy < 0 || iy >= x.h() || ix < 0 || ix >= x.w()) continue;
                                best = Math.max(best, x.at(n, iy, ix, c));
                                sum += x.at(n, iy, ix, c);
                                cells++;
                            }
                        out[((n * oh + oy) * ow + ox) * x.c() + c] = max ? best : sum / cells;
                    }
        return new Images(out, x.n(), oh, ow, x.c());
    }

    static double[] globalPool(Images x, boolean max) {
        double[] out = new double[x.n() * x.c()];
        for (int n = 0; n < x.n(); n++)
            for (int c = 0; c < x.c(); c++) {
                double best = Double.NEGATIVE_INFINITY, sum = 0;
                for (int y = 0; y < x.h(); y++)
                    for (int xx = 0; xx < x.w(); xx++) {
                        best = Math.max(best, x.at(n, y, xx, c));
                        sum += x.at(n, y, xx, c);
                    }
                out[n * x.c() + c] = max ? best : sum / (x.h() * x.w());
            }
        return out;
    }

    @Test
    void maxPoolSameThenValidRectangular() {
        try (var m = MaxPoolNetModel.create(1)) {
            assertArrayEquals(new int[] {3, 4, 3}, m.pool1.outputShape());
            assertArrayEquals(new int[] {1, 1, 2}, m.pool2.outputShape());
            Images x = input(m, 3, 11);
            Images a = conv(x, m.a, 1, 1, 1, 1, true, TANH);
            Images p1 = maxPool(a, 2, 2, 2, 2, true);
            Images b = conv(p1, m.b, 1, 1, 1, 1, false, TANH);
            assertClose(maxPool(b, 2, 3, 1, 1, false).v(), run(m, x), 1e-5, "MaxPoolNet");
        }
    }

    @Test
    void avgPoolSameCountsOnlyCellsInsideTheInput() {
        try (var m = AvgPoolNetModel.create(2)) {
            assertArrayEquals(new int[] {3, 4, 3}, m.pool1.outputShape());
            assertArrayEquals(new int[] {2, 2, 3}, m.pool2.outputShape());
            Images x = input(m, 3, 12);
            Images a = conv(x, m.a, 1, 1, 1, 1, true, TANH);
            Images p1 = avgPool(a, 3, 3, 2, 2, true);
            assertClose(avgPool(p1, 2, 2, 1, 2, false).v(), run(m, x), 1e-5, "AvgPoolNet");
        }
    }

    @Test
    void globalAveragePoolIntoDense() {
        try (var m = GlobalAvgNetModel.create(3)) {
            assertArrayEquals(new int[] {3}, m.gap.outputShape());
            Images x = input(m, 4, 13);
            double[] g = globalPool(conv(x, m.a, 1, 1, 1, 1, true, TANH), false);
            double[] want = GeneratedNetworkTest.reference(GeneratedNetworkTest.toFloat(g), 4, m.out, "softmax");
            assertClose(want, run(m, x), 1e-5, "GlobalAvgNet");
        }
    }

    @Test
    void globalMaxPool() {
        try (var m = GlobalMaxNetModel.create(4)) {
            Images x = input(m, 4, 14);
            assertClose(globalPool(conv(x, m.a, 1, 1, 1, 1, true, TANH), true), run(m, x), 1e-5, "GlobalMaxNet");
        }
    }
}
