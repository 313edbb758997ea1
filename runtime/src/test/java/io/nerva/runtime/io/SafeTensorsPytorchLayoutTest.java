package io.nerva.runtime.io;

import static io.nerva.runtime.io.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.nerva.format.WeightFileException;
import io.nerva.runtime.core.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state dict as {@code safetensors.torch.save_file} writes it, loaded into Nerva's (Keras') layout. */
class SafeTensorsPytorchLayoutTest {
    @TempDir
    Path dir;

    /** nn.Linear(4, 3) weight [out=3, in=4] with value 100·o + i. */
    static float[] linearWeight() {
        float[] w = new float[3 * 4];
        for (int o = 0; o < 3; o++) for (int i = 0; i < 4; i++) w[o * 4 + i] = 100 * o + i;
        return w;
    }

    /** nn.Conv2d(2, 4, 3) weight [out=4, in=2, kh=3, kw=3] with value 1000·o + 100·c + 10·y + x. */
    static double[] convWeight() {
        double[] w = new double[4 * 2 * 3 * 3];
        int n = 0;
        for (int o = 0; o < 4; o++)
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) w[n++] = 1000 * o + 100 * c + 10 * y + x;
        return w;
    }

    static final String STATE_DICT = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[652,660]},"
            + "\"conv.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[636,652]},"
            + "\"conv.weight\":{\"dtype\":\"F64\",\"shape\":[4,2,3,3],\"data_offsets\":[60,636]},"
            + "\"dense.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]},"
            + "\"dense.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}}";

    private Path stateDict(String json) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Files.write(
                file,
                file(json, concat(f32(linearWeight()), f32(1, 2, 3), f64(convWeight()), f32(5, 6, 7, 8), new byte[8])));
        return file;
    }

    @Test
    void linearAndConvWeightsArePermutedIntoKerasLayout() throws Exception {
        Path file = stateDict(STATE_DICT);
        try (Parameters params = mixedModel()) {
            SafeTensors.load(
                    params, file, LoadOptions.defaults().withPytorchLayout().withAllowExtra());
            float[] v = params.toArray();
            int denseBias = 12, convKernel = 15, convBias = 87;

            // dense.kernel [in=4, out=3]: kernel[i][o] = weight[o][i]
            assertEquals(201f, v[1 * 3 + 2], "kernel[1][2] = weight[2][1]");
            assertEquals(3f, v[3 * 3 + 0], "kernel[3][0] = weight[0][3]");
            for (int i = 0; i < 4; i++) for (int o = 0; o < 3; o++) assertEquals(100 * o + i, v[i * 3 + o]);
            assertArrayEquals(new float[] {1, 2, 3}, java.util.Arrays.copyOfRange(v, denseBias, denseBias + 3));

            // conv.kernel [kh=3, kw=3, in=2, out=4]: kernel[y][x][c][o] = weight[o][c][y][x]
            assertEquals(
                    3021f, v[convKernel + ((2 * 3 + 1) * 2 + 0) * 4 + 3], "kernel[2][1][0][3] = weight[3][0][2][1]");
            assertEquals(
                    112f, v[convKernel + ((1 * 3 + 2) * 2 + 1) * 4 + 0], "kernel[1][2][1][0] = weight[0][1][1][2]");
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    for (int c = 0; c < 2; c++)
                        for (int o = 0; o < 4; o++)
                            assertEquals(
                                    1000 * o + 100 * c + 10 * y + x, v[convKernel + ((y * 3 + x) * 2 + c) * 4 + o]);
            assertArrayEquals(new float[] {5, 6, 7, 8}, java.util.Arrays.copyOfRange(v, convBias, convBias + 4));
        }
    }

    @Test
    void bufferStatisticsAreExtraTensors() throws Exception {
        rejected(
                stateDict(STATE_DICT),
                LoadOptions.defaults().withPytorchLayout(),
                "unexpected tensor 'bn.num_batches_tracked' not in the model");
    }

    @Test
    void keraShapedWeightIsRejectedInPytorchTerms() throws Exception {
        rejected(
                stateDict(STATE_DICT.replace("\"shape\":[3,4]", "\"shape\":[4,3]")),
                LoadOptions.defaults().withPytorchLayout().withAllowExtra(),
                "tensor 'dense.weight' (PyTorch layout, for 'dense.kernel' [4, 3]): expected shape [3, 4], found [4, 3]");
        rejected(
                stateDict(STATE_DICT.replace("[4,2,3,3]", "[3,3,2,4]")),
                LoadOptions.defaults().withPytorchLayout().withAllowExtra(),
                "tensor 'conv.weight' (PyTorch layout, for 'conv.kernel' [3, 3, 2, 4]): expected shape [4, 2, 3, 3], found [3, 3, 2, 4]");
    }

    @Test
    void withoutPytorchLayoutTheNamesDoNotMatch() throws Exception {
        rejected(
                stateDict(STATE_DICT),
                LoadOptions.defaults().withAllowExtra(),
                "missing tensors 'dense.kernel', 'conv.kernel'; the file has");
    }

    @Test
    void missingWeightIsNamedWithAHint() throws Exception {
        rejected(
                stateDict(STATE_DICT.replace("\"dense.weight\"", "\"dense.w\"")),
                LoadOptions.defaults().withPytorchLayout().withAllowExtra(),
                "missing tensor 'dense.kernel' (a kernel is read from '<field>.weight' in PyTorch layout)");
    }

    @Test
    void weightAndKernelForTheSameFieldClash() throws Exception {
        rejected(
                stateDict(STATE_DICT.replace("\"bn.num_batches_tracked\"", "\"dense.kernel\"")),
                LoadOptions.defaults().withPytorchLayout().withAllowExtra(),
                "would both load into 'dense.kernel'");
    }

    private void rejected(Path file, LoadOptions opts, String fragment) {
        try (Parameters params = mixedModel()) {
            float[] before = fillRandom(params, 5);
            WeightFileException e = assertThrows(WeightFileException.class, () -> SafeTensors.load(params, file, opts));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(
                    e.getMessage().contains(fragment), () -> "message\n  " + e.getMessage() + "\nlacks\n  " + fragment);
            assertBitsEqual(before, params.toArray());
        }
    }
}
