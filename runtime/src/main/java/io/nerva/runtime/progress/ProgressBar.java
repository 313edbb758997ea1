package io.nerva.runtime.progress;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Keras' progress bar ({@code Progbar}) for one pass over the data: {@code fit}'s epochs,
 * {@code evaluate}, {@code predict}.
 *
 * <p>On a terminal ({@code terminal = true}) the line is redrawn in place with {@code \r}, at most
 * every {@link #REDRAW_NANOS} and at the last step:
 * <pre>
 *  412/938 [============>.................] ETA: 1s - 2ms/step - loss: 0.4123 - accuracy: 0.8533
 *  938/938 [==============================] 2s 2ms/step - loss: 0.3121 - accuracy: 0.8874 - val_loss: 0.3410
 * </pre>
 * Elsewhere nothing is drawn while it runs and {@link #finish} prints the final line once.
 * Between redraws {@link #update} costs a comparison and a clock read, and allocates nothing.
 */
public final class ProgressBar {
    /** Samples from which {@code evaluate} and {@code predict} show progress. */
    public static final int LARGE = 10_000;
    /** The shortest time between two redraws of the line: 0.1 s. */
    public static final long REDRAW_NANOS = 100_000_000L;

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long started;
    private long lastDraw;
    private int lastLength;
    private int done;

    /** A bar for {@code total} steps (at least 1), drawn to {@code out}, timed by {@code System.nanoTime}. */
    public ProgressBar(PrintStream out, int total, boolean terminal) {
        this(out, total, terminal, System::nanoTime);
    }

    /** As {@link #ProgressBar(PrintStream, int, boolean)} with another clock (nanoseconds), for tests. */
    public ProgressBar(PrintStream out, int total, boolean terminal, LongSupplier clock) {
        this.out = Objects.requireNonNull(out, "out");
        if (total < 1) throw new IllegalArgumentException("a progress bar needs at least 1 step, got " + total);
        this.total = total;
        this.terminal = terminal;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.started = clock.getAsLong();
        this.lastDraw = Long.MIN_VALUE;
    }

    /**
     * Whether {@code System.out} is an interactive terminal: {@link Console#isTerminal()} (since JDK
     * 22 {@code System.console()} is not null when output is redirected, so that alone does not
     * tell) and no {@code CI} environment variable, as CI logs show every {@code \r} redraw.
     */
    public static boolean stdoutIsTerminal() {
        Console c = System.console();
        if (c == null || !c.isTerminal()) return false;
        String ci = System.getenv("CI");
        return ci == null || ci.isEmpty() || ci.equalsIgnoreCase("false");
    }

    public int total() {
        return total;
    }

    /** Steps done so far. */
    public int done() {
        return done;
    }

    /**
     * {@code done} steps are finished; on a terminal, redraws the line when {@link #REDRAW_NANOS}
     * passed since the last redraw. {@code values} (running loss, metrics) is only asked for then.
     */
    public void update(int done, Values values) {
        if (done < 0 || done > total) {
            throw new IllegalArgumentException("step " + done + " is outside the bar's 0.." + total);
        }
        this.done = done;
        if (!terminal) return;
        long now = clock.getAsLong();
        if (now - lastDraw < REDRAW_NANOS && lastDraw != Long.MIN_VALUE) return;
        lastDraw = now;
        draw('\r' + runningLine(done, now, values == null ? Map.of() : values.current()), false);
    }

    /** The final line, ended by a newline: on a terminal it replaces the running one. */
    public void finish(Map<String, Double> values) {
        String line = finalLine(done == 0 ? total : done, clock.getAsLong() - started, values);
        draw(terminal ? '\r' + line : line, true);
    }

    private void draw(String s, boolean end) {
        // Pad over the rest of a longer previous line.
        int visible = s.length() - (s.startsWith("\r") ? 1 : 0);
        StringBuilder sb = new StringBuilder(s);
        for (int i = visible; i < lastLength; i++) sb.append(' ');
        lastLength = end ? 0 : visible;
        if (end) {
            out.println(sb);
        } else {
            out.print(sb);
        }
        out.flush();
    }

    /** {@code  412/938 [============>.................] ETA: 1s - 2ms/step - loss: 0.4123} */
    String runningLine(int done, long now, Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        counter(sb, done);
        sb.append(' ').append(bar(done)).append(' ');
        long elapsed = now - started;
        if (done > 0) {
            double perStep = (double) elapsed / done;
            sb.append("ETA: ").append(duration((total - done) * perStep / 1e9));
            sb.append(" - ").append(perStep(perStep));
        } else {
            sb.append("ETA: ?");
        }
        appendValues(sb, values);
        return sb.toString();
    }

    /** {@code  938/938 [==============================] 2s 2ms/step - loss: 0.3121}, or without the bar when not a terminal. */
    String finalLine(int done, long elapsedNanos, Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        counter(sb, done);
        sb.append(' ');
        if (terminal) sb.append(bar(done)).append(' ');
        sb.append(duration(elapsedNanos / 1e9)).append(' ').append(perStep((double) elapsedNanos / Math.max(done, 1)));
        appendValues(sb, values);
        return sb.toString();
    }

    private void counter(StringBuilder sb, int done) {
        String t = Integer.toString(total);
        String d = Integer.toString(done);
        sb.append(" ".repeat(t.length() - d.length())).append(d).append('/').append(t);
    }

    /** {@code [=====>........]}: '=' for the steps done, '>' at the head while running. */
    static String bar(int done, int total) {
        int filled = (int) ((long) WIDTH * done / total);
        StringBuilder sb = new StringBuilder(WIDTH + 2).append('[');
        for (int i = 0; i < WIDTH; i++) {
            sb.append(i < filled ? '=' : i == filled && done < total ? '>' : '.');
        }
        return sb.append(']').toString();
    }

    private String bar(int done) {
        return bar(done, total);
    }

    /** {@code 850us/step}, {@code 2ms/step}, {@code 1s/step}. */
    static String perStep(double nanos) {
        if (nanos < 1e6) return Math.round(nanos / 1e3) + "us/step";
        if (nanos < 1e9) return Math.round(nanos / 1e6) + "ms/step";
        return String.format(Locale.ROOT, "%.1fs/step", nanos / 1e9);
    }

    /** Keras' durations: {@code 0s}, {@code 42s}, {@code 3:05}, {@code 1:02:03}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private static void appendValues(StringBuilder sb, Map<String, Double> values) {
        if (values == null) return;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            sb.append(" - ").append(e.getKey()).append(": ").append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
    }

    /** The running values shown on a redraw, asked for only when the line is drawn. */
    @FunctionalInterface
    public interface Values {
        Map<String, Double> current();
    }
}
