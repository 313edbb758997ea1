package io.nerva.runtime.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 60 000 training and 10 000 test images of 28×28 grey pixels in 10
 * classes, as IDX files. On Debian the package {@code dataset-fashion-mnist} installs them in
 * {@link #DEFAULT_DIR}. Images have shape {@code {28, 28, 1}} with pixels in [0, 1].
 */
public final class FashionMnist {
    /** Where {@code sudo apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public static final int CLASSES = 10;

    private FashionMnist() {}

    /** Train and test sets from {@link #DEFAULT_DIR}, one-hot labels. */
    public static Dataset.Split loadDefault() throws IOException {
        return load(DEFAULT_DIR);
    }

    /** Train and test sets from a directory holding the four IDX files (gzipped or not), one-hot labels. */
    public static Dataset.Split load(Path dir) throws IOException {
        return load(dir, true);
    }

    public static Dataset.Split load(Path dir, boolean oneHot) throws IOException {
        return new Dataset.Split(train(dir, oneHot), test(dir, oneHot));
    }

    /** The 60 000 training images. */
    public static Dataset train(Path dir, boolean oneHot) throws IOException {
        return part(dir, "train", oneHot);
    }

    /** The 10 000 test images. */
    public static Dataset test(Path dir, boolean oneHot) throws IOException {
        return part(dir, "t10k", oneHot);
    }

    private static Dataset part(Path dir, String prefix, boolean oneHot) throws IOException {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        return IdxReader.dataset(images, labels, CLASSES, oneHot, CLASS_NAMES);
    }

    /** {@code name.gz} or {@code name}; otherwise an exception telling how to get the files. */
    private static Path find(Path dir, String name) throws IOException {
        for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new FileNotFoundException("Fashion-MNIST file " + dir.resolve(name + ".gz")
                + " not found. Install the data set with "
                + "'sudo apt-get install dataset-fashion-mnist' (files in " + DEFAULT_DIR + ") or pass the directory "
                + "holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] to FashionMnist.load(dir)");
    }
}
