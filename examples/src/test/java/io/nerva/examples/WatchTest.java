package io.nerva.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.nerva.runtime.callback.CSVLogger;
import io.nerva.runtime.callback.ReduceLROnPlateau;
import io.nerva.runtime.data.Dataset;
import io.nerva.runtime.data.Standardizer;
import io.nerva.runtime.metric.ClassificationReport;
import io.nerva.runtime.metric.ConfusionMatrix;
import io.nerva.runtime.metric.Metrics;
import io.nerva.runtime.optim.Optimizers;
import io.nerva.runtime.plot.Plots;
import io.nerva.runtime.train.Fit;
import io.nerva.runtime.train.History;
import io.nerva.tensorboard.TensorBoard;
import io.nerva.tensorboard.TensorBoardLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generated network trained with every way of watching: TensorBoard, CSV, plots, report — checked against the History. */
class WatchTest {
    @TempDir
    Path dir;

    @Test
    void irisRunIsLoggedForTensorBoardCsvAndPlots() throws Exception {
        Dataset.Split split = Iris.load().split(0.2, 3);
        Standardizer scale = Standardizer.fit(split.train());
        Dataset train = scale.apply(split.train()), test = scale.apply(split.test());
        Path logs = dir.resolve("logs");
        History h;
        try (IrisNetModel net = IrisNetModel.create(3)) {
            Fit fit = Fit.epochs(8)
                    .batch(16)
                    .optimizer(Optimizers.adam(0.01))
                    .metrics(Metrics.accuracy(), Metrics.f1())
                    .validation(test)
                    .seed(3)
                    .verbose(false)
                    .callback(new TensorBoard(logs).histogramFreq(2))
                    .callback(new CSVLogger(dir.resolve("train.csv")))
                    .callback(ReduceLROnPlateau.on("val_loss").patience(1).factor(0.5));
            h = net.fit(train, fit);
            ConfusionMatrix cm = ConfusionMatrix.of(net, test);
            assertEquals(test.size(), cm.total());
            assertEquals(cm.f1(io.nerva.runtime.metric.Average.MACRO), h.last("val_f1"), 1e-12);
            String report = ClassificationReport.of(cm, train.classNames()).toString();
            assertTrue(report.contains("weighted avg"), report);
            Plots.writeHistory(h, dir.resolve("curves.png"));
            io.nerva.runtime.plot.ModelDiagram.render(net, dir.resolve("net.dot"));
            String dot = Files.readString(dir.resolve("net.dot"));
            assertTrue(
                    dot.startsWith("digraph \"IrisNet\" {") && dot.contains("input -> l0 [label=\"(None, 4)\"]"), dot);
            assertEquals(
                    "expected a .dot, .svg or .png file, got " + dir.resolve("net.gif"),
                    assertThrows(
                                    java.io.IOException.class,
                                    () -> io.nerva.runtime.plot.ModelDiagram.render(net, dir.resolve("net.gif")))
                            .getMessage());
        }
        assertEquals(8, h.epochs());
        assertEquals(h, History.fromCsv(Files.readString(dir.resolve("train.csv"))));

        TensorBoardLogs tb = TensorBoardLogs.read(logs);
        assertEquals(List.of("train", "validation"), tb.runs());
        for (String name : h.names()) {
            String run = name.startsWith("val_") ? "validation" : "train";
            String tag = "epoch_" + (name.startsWith("val_") ? name.substring(4) : name);
            List<Double> logged = new ArrayList<>();
            for (TensorBoardLogs.Point p : tb.points(run, tag)) logged.add(p.scalar());
            List<Double> expected = new ArrayList<>();
            for (double v : h.get(name)) expected.add((double) (float) v);
            assertEquals(expected, logged, run + "/" + tag);
        }
        assertEquals(8, tb.points("train", "epoch_learning_rate").size());
        // histograms every 2 epochs: steps 0, 2, 4, 6 for each of the network's weights
        long histTags = tb.tags("train").keySet().stream()
                .filter(t -> t.endsWith("/histogram"))
                .count();
        assertTrue(histTags >= 2, tb.tags("train").keySet().toString());
        String someHist = tb.tags("train").keySet().stream()
                .filter(t -> t.endsWith("/kernel/histogram"))
                .findFirst()
                .orElseThrow();
        assertTrue(someHist.startsWith("IrisNet/"), someHist);
        assertEquals(
                List.of(0L, 2L, 4L, 6L),
                tb.points("train", someHist).stream()
                        .map(TensorBoardLogs.Point::step)
                        .toList());
        assertTrue(Files.size(dir.resolve("curves.png")) > 1000);
    }
}
