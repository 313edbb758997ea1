package io.nerva.runtime.plot;

import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.metric.ConfusionMatrix;
import io.nerva.runtime.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * PNG charts drawn with Java2D (no dependency; works headless): training curves from a
 * {@link History}, a confusion-matrix heat map, and sample images with their predicted and true
 * labels. Each {@code write*} method writes the file atomically; each {@code render*} method
 * returns the image.
 *
 * <pre>{@code
 * Plots.writeHistory(history, Path.of("curves.png"));                 // loss, accuracy...: train vs validation
 * Plots.writeConfusionMatrix(ConfusionMatrix.of(model, test), test.classNames(), Path.of("confusion.png"));
 * }</pre>
 */
public final class Plots {
    /** The default size of each chart of {@link #writeHistory(History, Path)}. */
    public static final int PANEL_WIDTH = 480, PANEL_HEIGHT = 360;

    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);
    private static final Color GRID = new Color(0xe6e6e6);
    private static final Color AXIS = new Color(0x444444);

    static {
        // Java2D on a machine without a display: never try to open one.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    // ---------------------------------------------------------------- training curves

    /**
     * One chart per reported value (loss, then each metric), epochs on x from 1, the training
     * series and, when the history has it, the {@code val_} series; the charts side by side, at
     * most three to a row, each {@link #PANEL_WIDTH}×{@link #PANEL_HEIGHT}.
     */
    public static void writeHistory(History history, Path png) throws IOException {
        write(renderHistory(history), png);
    }

    /** As {@link #writeHistory(History, Path)} at a chosen overall size. */
    public static void writeHistory(History history, Path png, int width, int height) throws IOException {
        write(renderHistory(history, width, height), png);
    }

    /** The names charted: each name without {@code val_}, in report order (a {@code val_} name alone gets its own chart). */
    static List<String> chartedNames(History history) {
        List<String> bases = new ArrayList<>();
        for (String n : history.names()) {
            String base = n.startsWith("val_") ? n.substring(4) : n;
            if (!bases.contains(base)) bases.add(base);
        }
        return bases;
    }

    public static BufferedImage renderHistory(History history) {
        Objects.requireNonNull(history, "history");
        int n = Math.max(1, chartedNames(history).size());
        int cols = Math.min(n, 3);
        int rows = (n + cols - 1) / cols;
        return renderHistory(history, cols * PANEL_WIDTH, rows * PANEL_HEIGHT);
    }

    public static BufferedImage renderHistory(History history, int width, int height) {
        Objects.requireNonNull(history, "history");
        checkSize(width, height);
        if (history.epochs() == 0) throw new IllegalArgumentException("the history has no epoch to plot");
        List<String> bases = chartedNames(history);
        int cols = Math.min(bases.size(), 3);
        int rows = (bases.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        int pw = width / cols, ph = height / rows;
        for (int i = 0; i < bases.size(); i++) {
            String base = bases.get(i);
            Map<String, double[]> series = new LinkedHashMap<>();
            if (history.has(base)) series.put("train", history.get(base));
            if (history.has("val_" + base)) series.put("validation", history.get("val_" + base));
            lineChart(g, (i % cols) * pw, (i / cols) * ph, pw, ph, base, series);
        }
        g.dispose();
        return img;
    }

    private static void lineChart(
            Graphics2D g, int x0, int y0, int w, int h, String title, Map<String, double[]> series) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int left = x0 + 62, right = x0 + w - 16, top = y0 + 34, bottom = y0 + h - 44;
        if (right - left < 20 || bottom - top < 20)
            throw new IllegalArgumentException("a chart needs more room than " + w + "x" + h);
        int epochs = series.values().iterator().next().length;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] v : series.values()) {
            for (double d : v) {
                if (Double.isFinite(d)) {
                    lo = Math.min(lo, d);
                    hi = Math.max(hi, d);
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = (hi - lo) * 0.06;
        lo -= pad;
        hi += pad;
        double xlo = epochs == 1 ? 0.5 : 1, xhi = epochs == 1 ? 1.5 : epochs;

        // title
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
        FontMetrics tfm = g.getFontMetrics();
        g.drawString(title, left + (right - left - tfm.stringWidth(title)) / 2, y0 + 22);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 12f));

        // grid and y ticks
        double ystep = niceStep((hi - lo) / 5);
        for (double t = Math.ceil(lo / ystep) * ystep; t <= hi + 1e-12; t += ystep) {
            int y = (int) Math.round(bottom - (t - lo) / (hi - lo) * (bottom - top));
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(AXIS);
            String label = tick(t, ystep);
            g.drawString(label, left - 6 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        // x ticks: epochs
        double xstep = Math.max(1, niceStep((xhi - xlo) / 8));
        for (double t = Math.ceil(xlo / xstep) * xstep; t <= xhi + 1e-9; t += xstep) {
            if (t < 1) continue;
            int x = (int) Math.round(left + (t - xlo) / (xhi - xlo) * (right - left));
            g.setColor(GRID);
            g.drawLine(x, top, x, bottom);
            g.setColor(AXIS);
            String label = Long.toString(Math.round(t));
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + fm.getAscent() + 4);
        }
        g.setColor(AXIS);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString("epoch", left + (right - left - fm.stringWidth("epoch")) / 2, bottom + 2 * fm.getAscent() + 10);

        // the series
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            g.setColor(e.getKey().equals("train") ? TRAIN : VALIDATION);
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            double[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    pen = false;
                    continue;
                }
                double x = left + ((i + 1) - xlo) / (xhi - xlo) * (right - left);
                double y = bottom - (v[i] - lo) / (hi - lo) * (bottom - top);
                if (pen) path.lineTo(x, y);
                else path.moveTo(x, y);
                pen = true;
                if (v.length <= 60) g.fillOval((int) Math.round(x) - 3, (int) Math.round(y) - 3, 6, 6);
            }
            g.draw(path);
        }
        g.setStroke(new BasicStroke(1f));

        // legend in the right-hand corner the curves leave free: below them when they end high
        double endSum = 0;
        int endCount = 0;
        for (double[] v : series.values()) {
            for (int i = v.length - Math.max(1, v.length / 3); i < v.length; i++) {
                if (Double.isFinite(v[i])) {
                    endSum += (v[i] - lo) / (hi - lo);
                    endCount++;
                }
            }
        }
        boolean below = endCount > 0 && endSum / endCount > 0.5;
        int boxW = 0;
        for (String name : series.keySet()) boxW = Math.max(boxW, fm.stringWidth(name));
        boxW += 42;
        int boxH = 18 * series.size() + 8;
        int bx = right - boxW - 8, by = below ? bottom - boxH - 8 : top + 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(GRID.darker());
        g.drawRect(bx, by, boxW, boxH);
        int k = 0;
        for (String name : series.keySet()) {
            int ly = by + 18 + k * 18;
            g.setColor(name.equals("train") ? TRAIN : VALIDATION);
            g.setStroke(new BasicStroke(2f));
            g.draw(new Line2D.Double(bx + 8, ly - 4, bx + 28, ly - 4));
            g.setStroke(new BasicStroke(1f));
            g.setColor(AXIS);
            g.drawString(name, bx + 34, ly);
            k++;
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static String tick(double t, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(t) < step / 1e6 ? 0 : t);
    }

    // ---------------------------------------------------------------- confusion matrix

    /** A heat map of {@code cm}: true classes down, predicted across, each cell its count, shaded by its share of the row. */
    public static void writeConfusionMatrix(ConfusionMatrix cm, List<String> names, Path png) throws IOException {
        write(renderConfusionMatrix(cm, names), png);
    }

    public static BufferedImage renderConfusionMatrix(ConfusionMatrix cm, List<String> names) {
        Objects.requireNonNull(cm, "cm");
        Objects.requireNonNull(names, "names");
        int n = cm.classes();
        if (!names.isEmpty() && names.size() != n)
            throw new IllegalArgumentException("expected " + n + " class names, got " + names.size());
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) labels.add(names.isEmpty() ? Integer.toString(i) : names.get(i));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = graphics(probe);
        pg.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int labelWidth = 0;
        for (String l : labels)
            labelWidth = Math.max(labelWidth, pg.getFontMetrics().stringWidth(l));
        pg.dispose();
        int cell = Math.max(36, Math.min(64, 640 / n));
        int left = labelWidth + 40, top = 50;
        int width = left + n * cell + 20, height = top + n * cell + labelWidth + 40;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        String title = String.format(Locale.ROOT, "Confusion matrix (accuracy %.4f)", cm.accuracy());
        g.drawString(title, Math.max(4, (width - g.getFontMetrics().stringWidth(title)) / 2), 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        long[][] counts = cm.counts();
        for (int a = 0; a < n; a++) {
            long row = 0;
            for (long c : counts[a]) row += c;
            for (int p = 0; p < n; p++) {
                double share = row == 0 ? 0 : (double) counts[a][p] / row;
                Color c = shade(share);
                g.setColor(c);
                g.fillRect(left + p * cell, top + a * cell, cell, cell);
                g.setColor(share > 0.55 ? Color.WHITE : Color.BLACK);
                String s = Long.toString(counts[a][p]);
                g.drawString(
                        s,
                        left + p * cell + (cell - fm.stringWidth(s)) / 2,
                        top + a * cell + (cell + fm.getAscent()) / 2 - 2);
            }
            g.setColor(AXIS);
            String l = labels.get(a);
            g.drawString(l, left - 6 - fm.stringWidth(l), top + a * cell + (cell + fm.getAscent()) / 2 - 2);
        }
        g.setColor(AXIS);
        g.drawRect(left, top, n * cell, n * cell);
        // predicted labels, rotated
        for (int p = 0; p < n; p++) {
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + p * cell + cell / 2 + fm.getAscent() / 2 - 1, top + n * cell + 6);
            r.rotate(Math.PI / 2);
            r.drawString(labels.get(p), 0, 0);
            r.dispose();
        }
        g.drawString("true", 4, top - 8);
        g.drawString("predicted", left + n * cell - fm.stringWidth("predicted"), height - 8);
        g.dispose();
        return img;
    }

    /** White to dark blue. */
    private static Color shade(double share) {
        double t = Math.max(0, Math.min(1, share));
        return new Color((int) Math.round(255 + t * (8 - 255)), (int) Math.round(255 + t * (48 - 255)), (int)
                Math.round(255 + t * (107 - 255)));
    }

    // ---------------------------------------------------------------- sample images

    /**
     * A grid of the first {@code count} samples of an image dataset (shape {@code [h, w]} or
     * {@code [h, w, 1]}, grey values; {@code [h, w, 3]} as RGB; values scaled from their min..max),
     * each titled {@code predicted (true)}, in red where they differ; each cell as wide as the
     * widest title (at least 120 pixels).
     *
     * @param predicted the predicted class of every sample, e.g. {@link ConfusionMatrix#predictedClasses}
     */
    public static void writeSamples(Dataset data, int[] predicted, int count, Path png) throws IOException {
        write(renderSamples(data, predicted, count), png);
    }

    public static BufferedImage renderSamples(Dataset data, int[] predicted, int count) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(predicted, "predicted");
        int[] shape = data.sampleShape();
        boolean rgb = shape.length == 3 && shape[2] == 3;
        if (!(shape.length == 2 || (shape.length == 3 && (shape[2] == 1 || shape[2] == 3)))) {
            throw new IllegalArgumentException("expected image samples of shape [h, w], [h, w, 1] or [h, w, 3], got "
                    + java.util.Arrays.toString(shape));
        }
        if (predicted.length != data.size()) {
            throw new IllegalArgumentException(
                    "expected one predicted class per sample (" + data.size() + "), got " + predicted.length);
        }
        if (count < 1) throw new IllegalArgumentException("count must be at least 1, got " + count);
        count = Math.min(count, data.size());
        int h = shape[0], w = shape[1];
        int scale = Math.max(1, 84 / Math.max(h, w));
        int tile = Math.max(h, w) * scale;
        int cols = (int) Math.ceil(Math.sqrt(count));
        int rows = (count + cols - 1) / cols;
        int[] labels = data.classes() > 0 ? data.labels() : null;
        List<String> names = data.classNames();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        String[] titles = new String[count];
        int widest = 0;
        Graphics2D probe = graphics(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
        probe.setFont(font);
        for (int i = 0; i < count; i++) {
            String p = name(names, predicted[i]);
            titles[i] = labels == null ? p : p + " (" + name(names, labels[i]) + ")";
            widest = Math.max(widest, probe.getFontMetrics().stringWidth(titles[i]));
        }
        probe.dispose();
        int cellW = Math.max(Math.max(tile, 110), widest) + 10, cellH = tile + 28;
        BufferedImage img = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < count; i++) {
            float[] x = data.features(i);
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float range = hi > lo ? hi - lo : 1;
            int ox = (i % cols) * cellW + (cellW - w * scale) / 2, oy = (i / cols) * cellH + 20;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    int rgbv;
                    if (rgb) {
                        int base = (r * w + c) * 3;
                        int R = (int) (255 * (x[base] - lo) / range),
                                G = (int) (255 * (x[base + 1] - lo) / range),
                                B = (int) (255 * (x[base + 2] - lo) / range);
                        rgbv = (R << 16) | (G << 8) | B;
                    } else {
                        int v = (int) (255 * (x[r * w + c] - lo) / range);
                        rgbv = (v << 16) | (v << 8) | v;
                    }
                    g.setColor(new Color(rgbv));
                    g.fillRect(ox + c * scale, oy + r * scale, scale, scale);
                }
            }
            String label = titles[i];
            g.setColor(labels != null && labels[i] != predicted[i] ? new Color(0xd62728) : Color.BLACK);
            int tx = (i % cols) * cellW + Math.max(2, (cellW - fm.stringWidth(label)) / 2);
            g.drawString(label, tx, (i / cols) * cellH + 14);
        }
        g.dispose();
        return img;
    }

    private static String name(List<String> names, int c) {
        return c >= 0 && c < names.size() ? names.get(c) : Integer.toString(c);
    }

    // ---------------------------------------------------------------- common

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void checkSize(int width, int height) {
        if (width < 100 || height < 100 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException(
                    "image size must be 100..10000 pixels each way, got " + width + "x" + height);
        }
    }

    /** Writes {@code img} as a PNG, atomically (a temporary file beside it, then a rename). */
    public static void write(BufferedImage img, Path png) throws IOException {
        Objects.requireNonNull(img, "img");
        Objects.requireNonNull(png, "png");
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, png.getFileName() + ".", ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this JDK");
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
