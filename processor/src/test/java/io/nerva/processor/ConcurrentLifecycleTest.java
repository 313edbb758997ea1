package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.annotations.LossFunction;
import io.nerva.processor.nets.WideModel;
import io.nerva.runtime.Model;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.io.LoadOptions;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.train.Fit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, items 1 and 2, on the network of the original report (1024-2048-2048-10, 4
 * predicting threads): closing while predictions run must not crash the JVM (the memory was freed
 * under a running sgemm), and a load while predictions run must be atomic. Each test is bounded
 * in time (a few seconds) and asserts only what holds on every interleaving.
 */
class ConcurrentLifecycleTest {
    private static final int THREADS = 4;
    private static final String CLOSED = "model Wide is closed; create or load a new model to use it again";

    @TempDir
    Path dir;

    private static float[] sample(int seed) {
        float[] x = new float[WideModel.INPUT_SIZE];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(seed * 31 + i * 0.37);
        return x;
    }

    @Test
    @Timeout(60)
    void closeUnderLoadWaitsForPredictionsInFlightAndRefusesLaterCalls() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        Path weights = dir.resolve("wide.safetensors");
        try (WideModel seed = WideModel.create(1)) {
            seed.save(weights);
        }
        int cycles = 0;
        List<Throwable> unexpected = new ArrayList<>();
        AtomicLong predictions = new AtomicLong();
        float[] x = sample(1);
        float[][] batch = {sample(2), sample(3), sample(4), sample(5), sample(6), sample(7), sample(8), sample(9)};
        while (cycles < 40 && (cycles < 5 || System.nanoTime() < deadline)) {
            WideModel model = WideModel.forInference();
            model.load(weights);
            CountDownLatch running = new CountDownLatch(THREADS);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int id = t;
                Thread thread = Thread.ofPlatform().start(() -> {
                    boolean counted = false;
                    try {
                        while (true) {
                            if (id % 2 == 0) model.predict(x);
                            else model.predict(batch); // batch of 8: the sgemm path
                            predictions.incrementAndGet();
                            if (!counted) {
                                running.countDown();
                                counted = true;
                            }
                        }
                    } catch (IllegalStateException closed) {
                        if (!CLOSED.equals(closed.getMessage())) errors.add(closed);
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        if (!counted) running.countDown();
                    }
                });
                threads.add(thread);
            }
            assertTrue(running.await(10, TimeUnit.SECONDS), "predicting threads started");
            model.close(); // while all four are predicting
            model.close(); // a no-op
            for (Thread t : threads) {
                t.join(10_000);
                assertFalse(t.isAlive(), "a predicting thread did not stop after close");
            }
            unexpected.addAll(errors);
            if (cycles == 0) assertRefusedAfterClose(model, weights);
            cycles++;
        }
        assertEquals(List.of(), unexpected.stream().map(Throwable::toString).toList());
        assertTrue(cycles >= 5, "only " + cycles + " close cycles");
        assertTrue(predictions.get() > 0);
    }

    private void assertRefusedAfterClose(Model model, Path weights) {
        for (var call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> model.predict(sample(1)),
                () -> model.predict(new float[][] {sample(1)}),
                () -> model.predictClass(sample(1)),
                () -> model.save(dir.resolve("after-close.safetensors")),
                () -> model.load(weights),
                () -> model.load(weights, LoadOptions.defaults()),
                () -> model.parameters().toArray(),
                () -> model.layers().get(0).kernel().get(),
                () -> model.fit(
                        Dataset.of(new float[][] {sample(1)}, new float[][] {new float[10]}),
                        Fit.epochs(1)
                                .verbose(false)
                                .optimizer(Optimizers.sgd())
                                .loss(LossFunction.CATEGORICAL_CROSSENTROPY)),
                () -> model.evaluate(
                        Dataset.of(new float[][] {sample(1)}, new float[][] {new float[10]}),
                        Fit.epochs(1).verbose(false).loss(LossFunction.CATEGORICAL_CROSSENTROPY)))) {
            var e = assertThrows(IllegalStateException.class, call);
            assertEquals(CLOSED, e.getMessage());
        }
        assertFalse(dir.resolve("after-close.safetensors").toFile().exists());
    }

    @Test
    @Timeout(60)
    void predictionsDuringLoadsSeeAllOldOrAllNewWeights() throws Exception {
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        float[] x = sample(11);
        float[] refA, refB;
        try (WideModel ma = WideModel.create(1);
                WideModel mb = WideModel.create(2)) {
            ma.save(a);
            mb.save(b);
            refA = ma.predict(x);
            refB = mb.predict(x);
        }
        assertFalse(java.util.Arrays.equals(refA, refB));
        try (WideModel model = WideModel.forInference()) {
            model.load(a);
            AtomicInteger seenA = new AtomicInteger(), seenB = new AtomicInteger();
            ConcurrentLinkedQueue<String> mixed = new ConcurrentLinkedQueue<>();
            AtomicInteger stop = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (stop.get() == 0) {
                        float[] y = model.predict(x);
                        if (close(y, refA)) seenA.incrementAndGet();
                        else if (close(y, refB)) seenB.incrementAndGet();
                        else mixed.add(java.util.Arrays.toString(y));
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            int loads = 0;
            while (loads < 60 && (loads < 6 || System.nanoTime() < deadline)) {
                model.load(loads % 2 == 0 ? b : a);
                loads++;
            }
            stop.set(1);
            for (Thread t : threads) t.join(10_000);
            assertEquals(
                    0,
                    mixed.size(),
                    mixed.size() + " of " + (mixed.size() + seenA.get() + seenB.get()) + " predictions during " + loads
                            + " loads matched neither weight set, e.g. " + mixed.peek());
            assertTrue(seenA.get() + seenB.get() > 0);
        }
    }

    private static boolean close(float[] y, float[] ref) {
        for (int i = 0; i < y.length; i++) {
            if (Math.abs(y[i] - ref[i]) > 1e-6f * Math.max(1, Math.abs(ref[i]))) return false;
        }
        return true;
    }
}
