package io.nerva.processor;

import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nerva.processor.FuzzNetworks.Net;
import io.nerva.processor.FuzzNetworks.Prediction;
import io.nerva.runtime.Layer;
import io.nerva.runtime.Model;
import io.nerva.runtime.core.Rng;
import io.nerva.runtime.core.Workspace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Random layer stacks of every layer kind (dense, image and sequence families), valid and invalid,
 * compiled 100 to a javac run. For each network: either errors on its own file (every error
 * {@link FuzzNetworks#predict predicted}, none an internal error or a stack trace), or no error and
 * a generated model that compiles, has the predicted shapes and parameter counts, and computes
 * finite outputs and gradients where the predicted magnitude bounds allow (an Embedding network
 * is fed token ids).
 *
 * <p>Seeds: {@code 1..2000} by default. Override with
 * {@code -Dnerva.fuzz.seeds=N} (seeds 1..N, nothing excluded), {@code -Dnerva.fuzz.seeds=A-B},
 * or {@code -Dnerva.fuzz.seeds=17-17} or {@code 17,42} to reproduce single seeds; {@code mvn -P fuzz-large}
 * runs 20,000. {@code -Dnerva.fuzz.threads} sets the parallel javac runs (default 2).
 */
class FuzzTest {
    static final int DEFAULT_SEEDS = 2000;
    static final int BATCH = 100;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** An exception's class name or a stack frame: never in a diagnostic. */
    private static final Pattern TRACE = Pattern.compile("\\b[A-Za-z]+(Exception|Error)\\b|\\n\\s*at [\\w.$]+\\(");

    record Failure(long seed, String what, String source) {
        @Override
        public String toString() {
            return "seed " + seed + ": " + what + "\n  reproduce: -Dnerva.fuzz.seeds=" + seed + "-" + seed
                    + "\n--- fuzz/Net" + seed + ".java ---\n" + source;
        }
    }

    @Test
    void randomStacksCompileToErrorsOrWorkingModels() throws Exception {
        long[] seeds = seeds();
        List<long[]> batches = new ArrayList<>();
        for (int i = 0; i < seeds.length; i += BATCH)
            batches.add(Arrays.copyOfRange(seeds, i, Math.min(seeds.length, i + BATCH)));
        int threads = Integer.getInteger("nerva.fuzz.threads", 2);
        long start = System.nanoTime();
        java.time.Duration cpuStart =
                ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
        List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
        Stats stats = new Stats();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (long[] batch : batches) futures.add(pool.submit(() -> runBatch(batch, failures, stats)));
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        System.out.printf(
                Locale.ROOT,
                "FuzzTest: %d networks (%d valid and run, %d rejected, %d undecided by the contract: "
                        + "%d rejected, %d run) in %.1f s, %d failures%n",
                seeds.length,
                stats.valid,
                stats.rejected,
                stats.uncertainRejected + stats.uncertainRun,
                stats.uncertainRejected,
                stats.uncertainRun,
                (System.nanoTime() - start) / 1e9,
                failures.size());
        java.time.Duration cpu = ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .orElse(java.time.Duration.ZERO)
                .minus(cpuStart);
        System.out.printf(
                Locale.ROOT, "FuzzTest: %.1f s of CPU (this JVM, %d threads)%n", cpu.toMillis() / 1e3, threads);
        System.out.printf(
                Locale.ROOT,
                "FuzzTest: thread time: processing invalid ones %.1f s, compiling (valid: with processing) %.1f s, running models %.1f s%n",
                stats.processNanos / 1e9,
                stats.compileNanos / 1e9,
                stats.runNanos / 1e9);
        if (!failures.isEmpty()) {
            List<Failure> sorted = failures.stream()
                    .sorted((a, b) -> Long.compare(a.seed(), b.seed()))
                    .toList();
            String seedsList =
                    sorted.stream().map(f -> Long.toString(f.seed())).distinct().collect(Collectors.joining(","));
            fail(failures.size() + " fuzz failures (seeds " + seedsList + "); the first ones:\n\n"
                    + sorted.stream().limit(8).map(Failure::toString).collect(Collectors.joining("\n")));
        }
    }

    static final class Stats {
        int valid, rejected, uncertainRejected, uncertainRun;
        long processNanos, compileNanos, runNanos;

        synchronized void time(int phase, long since) {
            long t = System.nanoTime() - since;
            if (phase == 0) processNanos += t;
            else if (phase == 1) compileNanos += t;
            else runNanos += t;
        }
    }

    static long[] seeds() {
        String spec = System.getProperty("nerva.fuzz.seeds", "").trim();
        if (spec.isEmpty()) {
            return LongStream.rangeClosed(1, DEFAULT_SEEDS).toArray();
        }
        if (spec.contains(","))
            return Arrays.stream(spec.split(","))
                    .mapToLong(s -> Long.parseLong(s.trim()))
                    .toArray();
        if (spec.matches("\\d+-\\d+")) {
            String[] ab = spec.split("-");
            return LongStream.rangeClosed(Long.parseLong(ab[0]), Long.parseLong(ab[1]))
                    .toArray();
        }
        return LongStream.rangeClosed(1, Long.parseLong(spec)).toArray();
    }

    // ---- one javac run ------------------------------------------------------------------------

    /**
     * Networks predicted valid are compiled in one full javac run with the processor (the fast
     * path: one run gives their diagnostics and their class files). The rest, and all of them
     * if that run fails, go through {@link #processThenCompile}.
     */
    private static void runBatch(long[] seeds, List<Failure> failures, Stats stats) {
        List<Net> nets = Arrays.stream(seeds).mapToObj(FuzzNetworks::generate).toList();
        List<Net> valid = nets.stream()
                .filter(n -> n.prediction().valid() && !n.prediction().uncertain())
                .toList();
        List<Net> rest =
                new ArrayList<>(nets.stream().filter(n -> !valid.contains(n)).toList());
        if (!valid.isEmpty()) {
            long t = System.nanoTime();
            RecordingProcessor recorder = new RecordingProcessor(new NetworkProcessor());
            Compilation all = null;
            try {
                all = javac().withProcessors(recorder).compile(sources(valid));
            } catch (RuntimeException crash) {
                // processThenCompile finds the culprit
            }
            stats.time(1, t);
            if (all != null
                    && all.status() == Compilation.Status.SUCCESS
                    && valid.stream().allMatch(n -> recorder.generated().containsKey(n.modelName()))) {
                run(valid, new GeneratedClassLoader(all), failures, stats);
            } else {
                rest.addAll(valid);
            }
        }
        if (!rest.isEmpty()) processThenCompile(rest, failures, stats);
    }

    /**
     * Pass 1: annotation processing only, to see each network's diagnostics (one error stops
     * javac from writing any class file). Pass 2: the networks without errors and their
     * generated models, compiled without the processor.
     */
    private static void processThenCompile(List<Net> nets, List<Failure> failures, Stats stats) {
        Map<String, Net> byFile = new LinkedHashMap<>();
        List<JavaFileObject> sources = sources(nets);
        for (int i = 0; i < nets.size(); i++) byFile.put(fileKey(sources.get(i)), nets.get(i));

        RecordingProcessor recorder = new RecordingProcessor(new NetworkProcessor());
        Compilation processed;
        long t0 = System.nanoTime();
        try {
            processed =
                    javac().withProcessors(recorder).withOptions("-proc:only").compile(sources);
        } catch (RuntimeException e) {
            // the processor (or javac under it) crashed: find the culprits one by one
            for (Net n : nets) {
                try {
                    javac().withProcessors(new NetworkProcessor())
                            .withOptions("-proc:only")
                            .compile(sources(List.of(n)));
                } catch (RuntimeException crash) {
                    failures.add(
                            new Failure(n.seed(), "javac crashed: " + crash + "\n" + stackTrace(crash), n.source()));
                }
            }
            return;
        } finally {
            stats.time(0, t0);
        }
        Map<Net, List<String>> errors = new LinkedHashMap<>();
        for (Net n : nets) errors.put(n, new ArrayList<>());
        for (Diagnostic<? extends JavaFileObject> d : processed.errors()) {
            String message = d.getMessage(Locale.ROOT);
            Net n = d.getSource() == null ? null : byFile.get(fileKey(d.getSource()));
            if (n != null) {
                errors.get(n).add("line " + d.getLineNumber() + ": " + message);
            } else if (d.getSource() != null && (n = owner(d.getSource().getName(), nets)) != null) {
                failures.add(new Failure(
                        n.seed(),
                        "an error in generated code, not on the network: "
                                + d.getSource().getName() + ":" + d.getLineNumber() + ": " + message
                                + "\n  generated line: "
                                + line(recorder.generated().get(n.modelName()).source(), d.getLineNumber()),
                        n.source()));
            } else {
                failures.add(new Failure(
                        nets.getFirst().seed(),
                        "an error outside every network file (networks "
                                + nets.stream()
                                        .map(x -> Long.toString(x.seed()))
                                        .collect(Collectors.joining(",")) + "): "
                                + (d.getSource() == null
                                        ? "no source"
                                        : d.getSource().getName()) + ": " + message,
                        ""));
            }
        }

        List<Net> toRun = new ArrayList<>();
        for (Net n : nets) {
            List<String> errs = errors.get(n);
            Prediction p = n.prediction();
            boolean generated = recorder.generated().containsKey(n.modelName());
            String listed = errs.isEmpty() ? "no errors" : "errors:\n    " + String.join("\n    ", errs);
            for (String e : errs) {
                if (e.contains("internal error") || TRACE.matcher(e).find()) {
                    failures.add(
                            new Failure(n.seed(), "an internal error or exception in a diagnostic: " + e, n.source()));
                }
            }
            if (!errs.isEmpty()) {
                if (generated)
                    failures.add(new Failure(
                            n.seed(), "errors, yet " + n.modelName() + " was generated; " + listed, n.source()));
                if (p.valid() && !p.uncertain()) {
                    failures.add(
                            new Failure(n.seed(), "predicted valid, but the processor reported " + listed, n.source()));
                }
                for (String fault : p.faults()) {
                    if (errs.stream().noneMatch(e -> e.contains(fault))) {
                        failures.add(new Failure(
                                n.seed(), "predicted error \"" + fault + "\" missing; " + listed, n.source()));
                    }
                }
                synchronized (stats) {
                    if (p.uncertain()) stats.uncertainRejected++;
                    else stats.rejected++;
                }
            } else if (!p.valid()) {
                failures.add(new Failure(
                        n.seed(),
                        "predicted errors " + p.faults() + ", but the processor reported none"
                                + (generated ? " and generated " + n.modelName() : ""),
                        n.source()));
            } else if (!generated) {
                failures.add(new Failure(n.seed(), "no error, but no " + n.modelName() + " was generated", n.source()));
            } else if (failures.stream().noneMatch(f -> f.seed() == n.seed())) {
                toRun.add(n);
            }
        }
        if (toRun.isEmpty()) return;

        Map<Net, String> generatedSources = new LinkedHashMap<>();
        for (Net n : toRun)
            generatedSources.put(n, recorder.generated().get(n.modelName()).source());
        Compilation compiled = null;
        long t1 = System.nanoTime();
        for (int attempt = 0; attempt < 5 && !toRun.isEmpty(); attempt++) {
            List<JavaFileObject> files = new ArrayList<>(sources(toRun));
            for (Net n : toRun) files.add(JavaFileObjects.forSourceString(n.modelName(), generatedSources.get(n)));
            compiled = javac().withOptions("-proc:none").compile(files);
            if (compiled.status() == Compilation.Status.SUCCESS) break;
            List<Net> broken = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : compiled.errors()) {
                String name = d.getSource() == null ? "" : d.getSource().getName();
                Net n = owner(name, toRun);
                if (n == null) continue;
                if (!broken.contains(n)) broken.add(n);
                failures.add(new Failure(
                        n.seed(),
                        "the generated code does not compile: " + name + ":" + d.getLineNumber() + ": "
                                + d.getMessage(Locale.ROOT) + "\n  generated line: "
                                + line(generatedSources.get(n), d.getLineNumber()),
                        n.source()));
            }
            if (broken.isEmpty()) {
                failures.add(new Failure(
                        toRun.getFirst().seed(),
                        "pass 2 failed without attributable errors: " + compiled.errors(),
                        toRun.getFirst().source()));
                return;
            }
            toRun.removeAll(broken);
            compiled = null;
        }
        stats.time(1, t1);
        if (compiled != null) run(toRun, new GeneratedClassLoader(compiled), failures, stats);
    }

    private static void run(List<Net> nets, GeneratedClassLoader loader, List<Failure> failures, Stats stats) {
        long t = System.nanoTime();
        for (Net n : nets) {
            try {
                run(n, loader);
            } catch (AssertionError | Exception e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                failures.add(new Failure(
                        n.seed(),
                        (cause instanceof AssertionError ? "" : "threw ")
                                + cause
                                + (cause instanceof AssertionError ? "" : "\n" + stackTrace(cause)),
                        n.source()));
            }
            synchronized (stats) {
                if (n.prediction().uncertain()) stats.uncertainRun++;
                else stats.valid++;
            }
        }
        stats.time(2, t);
    }

    private static List<JavaFileObject> sources(List<Net> nets) {
        return nets.stream()
                .map(n -> JavaFileObjects.forSourceString(n.qualifiedName(), n.source()))
                .toList();
    }

    // ---- running one generated model ----------------------------------------------------------

    private static void run(Net n, GeneratedClassLoader loader) throws Exception {
        Prediction p = n.prediction();
        Class<?> type = loader.loadClass(n.modelName());
        Model m;
        if (n.inferenceOnly()) {
            m = (Model) type.getMethod("forInference").invoke(null);
            type.getMethod("initialize", long.class).invoke(m, n.seed());
        } else {
            m = (Model) type.getMethod("create", long.class).invoke(null, n.seed());
        }
        try (m) {
            int inSize = Arrays.stream(n.input()).reduce(1, (a, b) -> a * b);
            int outSize = Arrays.stream(p.outputShape()).reduce(1, (a, b) -> a * b);
            check(Arrays.equals(n.input(), m.inputShape()), "inputShape() " + Arrays.toString(m.inputShape()));
            check(m.inputSize() == inSize, "inputSize() " + m.inputSize() + ", predicted " + inSize);
            check(m.outputSize() == outSize, "outputSize() " + m.outputSize() + ", predicted " + outSize);
            check(m.name().equals(n.simpleName()), "name() " + m.name());
            check(m.trainable() == !n.inferenceOnly(), "trainable() " + m.trainable());
            check(
                    m.outputActivation() == p.outputActivation(),
                    "outputActivation() " + m.outputActivation() + ", predicted " + p.outputActivation());
            check(
                    m.parameters().count() == p.params(),
                    "parameters().count() " + m.parameters().count() + ", predicted " + p.params());
            List<Layer> layers = m.layers();
            check(layers.size() == p.layerNames().size(), "layers() " + layers + ", predicted " + p.layerNames());
            long layerParams = 0;
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                String where = "layer " + i + " (" + l + "): ";
                check(
                        l.name().equals(p.layerNames().get(i)),
                        where + "name, predicted " + p.layerNames().get(i));
                check(
                        l.type().equals(p.layerTypes().get(i)),
                        where + "type, predicted " + p.layerTypes().get(i));
                check(
                        Arrays.equals(l.outputShape(), p.layerShapes().get(i)),
                        where + "outputShape, predicted "
                                + Arrays.toString(p.layerShapes().get(i)));
                check(
                        l.hasKernel() == p.layerParams().get(i) > 0,
                        where + "hasKernel " + l.hasKernel() + ", predicted "
                                + p.layerParams().get(i) + " parameters");
                long expected = p.layerParams().get(i);
                check(
                        l.paramCount() == expected,
                        where + "paramCount() " + l.paramCount() + ", predicted " + expected
                                + " (all its tensors, as Keras' count_params())");
                layerParams += p.layerParams().get(i);
                Object field = fieldValue(m, l.name());
                check(field == l, where + "the field " + l.name() + " holds " + field + ", not this layer");
            }
            check(
                    layerParams == p.params(),
                    "the layers' predicted counts add up to " + layerParams + ", not " + p.params());
            check(
                    m.summary().contains("Total params: " + String.format(Locale.getDefault(), "%,d", p.params())),
                    "summary without the total " + p.params() + ":\n" + m.summary());
            if (p.finiteExpected()) checkFinite(m.parameters().toArray(), "initial parameters");

            Rng rng = new Rng(n.seed() ^ 0x5DEECE66DL);
            int rows = rng.nextInt(2) == 0 ? 1 : 3;
            // an Embedding takes token ids: whole numbers in [0, vocabulary)
            float[] x = p.vocabulary() > 0 ? ids(rng, rows * inSize, p.vocabulary()) : random(rng, rows * inSize);
            float[] inference;
            try (Workspace ws = m.newWorkspace(rows, false, n.seed())) {
                check(
                        ws.input().byteSize() == (long) rows * inSize * 4,
                        "input buffer of " + ws.input().byteSize() + " bytes");
                check(
                        ws.output().byteSize() == (long) rows * outSize * 4,
                        "output buffer of " + ws.output().byteSize() + " bytes for " + rows + " rows of " + outSize);
                MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
                m.forward(ws, rows, false);
                inference = ws.output().asSlice(0, (long) rows * outSize * 4).toArray(F);
                if (p.finiteExpected()) checkFinite(inference, "inference output");
            }
            if (n.inferenceOnly()) {
                try {
                    m.newWorkspace(rows, true, 0).close();
                    check(false, "an inference-only model made a training workspace");
                } catch (IllegalStateException expected) {
                    // the message is GeneratedNetworkTest's business
                }
                return;
            }
            try (Workspace ws = m.newWorkspace(rows, true, n.seed())) {
                check(
                        ws.outputGrad().byteSize() == (long) rows * outSize * 4,
                        "outputGrad buffer of " + ws.outputGrad().byteSize() + " bytes for " + rows + " rows of "
                                + outSize);
                MemorySegment.copy(x, 0, ws.input(), F, 0, x.length);
                m.forward(ws, rows, true);
                float[] training =
                        ws.output().asSlice(0, (long) rows * outSize * 4).toArray(F);
                if (p.finiteExpected()) checkFinite(training, "training output");
                if (!p.trainingDiffers() && p.finiteExpected()) {
                    for (int i = 0; i < training.length; i++) {
                        check(
                                Math.abs(training[i] - inference[i]) <= 1e-5 * (1 + Math.abs(inference[i])),
                                "without dropout or BatchNorm, training output[" + i + "] " + training[i]
                                        + " != inference " + inference[i]);
                    }
                }
                float[] r = random(rng, rows * outSize);
                MemorySegment.copy(r, 0, ws.outputGrad(), F, 0, r.length);
                boolean fused = rng.nextInt(2) == 0;
                m.backward(ws, rows, fused);
                float[] grads = m.parameters()
                        .grads()
                        .asSlice(0, m.parameters().count() * 4)
                        .toArray(F);
                if (p.finiteExpected()) checkFinite(grads, "parameter gradients (gradWrtLogits = " + fused + ")");
            }
        }
    }

    private static Object fieldValue(Model m, String name) throws ReflectiveOperationException {
        for (Class<?> c = m.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                if (f.getType() != Layer.class) continue;
                f.setAccessible(true);
                return f.get(m);
            } catch (NoSuchFieldException ignored) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    private static void checkFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AssertionError(what + "[" + i + "] is " + values[i] + " (of " + values.length + ")");
            }
        }
    }

    private static float[] ids(Rng rng, int n, int vocabulary) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextInt(vocabulary);
        return a;
    }

    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }

    /** The network whose source or generated model is the file {@code name}. */
    private static Net owner(String name, List<Net> nets) {
        return nets.stream()
                .filter(x -> name.endsWith("/" + x.simpleName() + "Model.java")
                        || name.endsWith("/" + x.simpleName() + ".java"))
                .findFirst()
                .orElse(null);
    }

    private static String fileKey(JavaFileObject file) {
        return file.toUri().getPath();
    }

    private static String line(String text, long number) {
        String[] lines = text.split("\n", -1);
        return number >= 1 && number <= lines.length ? lines[(int) number - 1].strip() : "?";
    }

    private static String stackTrace(Throwable t) {
        return Arrays.stream(t.getStackTrace())
                .limit(12)
                .map(f -> "    at " + f)
                .collect(Collectors.joining("\n"));
    }
}
