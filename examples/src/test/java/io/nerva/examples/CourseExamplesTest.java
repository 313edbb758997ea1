package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nerva.runtime.data.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transfer learning and the autoencoder on small subsets of the real Fashion-MNIST: seconds each. */
class CourseExamplesTest {

    @Test
    void aNewHeadOnTheFrozenPretrainedHiddenLayerLearnsFourClasses() throws Exception {
        Map<String, Double> r = FashionTransfer.run(FashionMnist.DEFAULT_DIR, 3, 500, false);
        assertEquals(1.0, r.get("hidden_unchanged"), "the frozen hidden layer changed");
        assertTrue(r.get("head_accuracy") > 0.85, "head accuracy " + r);
        assertTrue(r.get("tuned_accuracy") > 0.85, "fine-tuned accuracy " + r);
    }

    @Test
    void autoencoderReconstructsBetterThanTheMeanImageAndItsCodesClassify(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("ae.png");
        Map<String, Double> r = FashionAutoencoder.run(FashionMnist.DEFAULT_DIR, 3, 3000, png, false);
        assertTrue(r.get("mse") < 0.6 * r.get("mean_image_mse"), "reconstruction " + r);
        assertTrue(r.get("code_accuracy") > 0.6, "a classifier on 32-d codes, chance is 0.1: " + r);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(10 * (84 + 6) + 6, img.getWidth());
    }

    @Test
    void inputGradientsOfThePretrainedMlpMakeAdversarialImages(@TempDir Path tmp) throws Exception {
        Map<String, Double> r = FashionSaliency.run(FashionMnist.DEFAULT_DIR, 300, 0.05f, tmp.resolve("s.png"), false);
        assertTrue(r.get("accuracy") > 0.8, "the pretrained MLP " + r);
        assertTrue(r.get("adversarial_accuracy") < r.get("accuracy") - 0.3, "a step along the gradient's sign " + r);
        assertTrue(r.get("hidden_zero_share") > 0.1 && r.get("hidden_zero_share") < 0.95, "ReLU features " + r);
    }
}
