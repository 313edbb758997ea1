package io.nerva.runtime.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    private static final String IRIS = """
            sepal_length,sepal_width,petal_length,petal_width,species
            5.1,3.5,1.4,0.2,setosa
            7.0,3.2,4.7,1.4,versicolor
            6.3,3.3,6.0,2.5,virginica
            4.9,3.0,1.4,0.2,setosa

            5.8,2.7,5.1,1.9,virginica
            """;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsStringLabelsSortedAndOneHot() throws IOException {
        Dataset d = CsvReader.csv().target("species").read(write("iris.csv", IRIS));
        assertEquals(5, d.size()); // the blank line is skipped
        assertEquals(4, d.sampleSize());
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 2, 0, 2}, d.labels());
        assertArrayEquals(new float[] {0, 1, 0}, d.target(1));
        assertArrayEquals(new float[] {7.0f, 3.2f, 4.7f, 1.4f}, d.features(1));
    }

    @Test
    void firstSeenOrderAndSparseLabels() throws IOException {
        String text = "x,label\n1,b\n2,a\n3,c\n4,a\n";
        Dataset d = CsvReader.csv()
                .labelOrder(CsvReader.LabelOrder.FIRST_SEEN)
                .oneHot(false)
                .read(write("l.csv", text));
        assertEquals(List.of("b", "a", "c"), d.classNames());
        assertEquals(1, d.targetColumns());
        assertArrayEquals(new int[] {0, 1, 2, 1}, d.labels());
        // integer labels sort numerically, not as strings
        Dataset n = CsvReader.csv().categorical(true).read(write("n.csv", "x,y\n1,10\n2,2\n3,1\n"));
        assertEquals(List.of("1", "2", "10"), n.classNames());
        assertArrayEquals(new int[] {2, 1, 0}, n.labels());
        // a fixed mapping, e.g. the one of the training file
        Dataset f = CsvReader.csv().classNames(List.of("c", "b", "a")).read(write("f.csv", text));
        assertArrayEquals(new int[] {1, 2, 0, 2}, f.labels());
    }

    @Test
    void semicolonsQuotesAndNoHeader() throws IOException {
        String text = "\"1,5\";2;\"a \"\"quoted\"\"\nlabel\"\n 3 ; \"4\" ;plain\n";
        Dataset d = CsvReader.csv()
                .delimiter(';')
                .header(false)
                .targetIndex(2)
                .read(write("q.csv", text.replace("1,5", "1.5")));
        assertEquals(2, d.size());
        assertEquals(List.of("a \"quoted\"\nlabel", "plain"), d.classNames());
        assertArrayEquals(new float[] {1.5f, 2}, d.features(0));
        assertArrayEquals(new float[] {3, 4}, d.features(1));
        // line numbers keep counting through quoted line breaks
        Path bad = write("lines.csv", "a,b\n1,\"x\ny\"\n2,z\n3\n");
        assertEquals(
                bad + ":5: expected 2 fields, found 1",
                assertThrows(IOException.class, () -> CsvReader.csv().read(bad)).getMessage());
    }

    @Test
    void numericTargetsForRegression() throws IOException {
        String text = "id,a,b,y1,y2\r\n7,1,2,0.5,1.5\r\n8,3,4,2.5,3.5\r\n";
        Dataset d = CsvReader.csv().target("y1", "y2").ignore("id").read(write("r.csv", text));
        assertEquals(2, d.targetColumns());
        assertEquals(0, d.classes());
        assertArrayEquals(new float[] {3, 4}, d.features(1));
        assertArrayEquals(new float[] {2.5f, 3.5f}, d.target(1));
        Dataset fromReader = CsvReader.csv().target("y1", "y2").ignore("id").read(new StringReader(text), "mem.csv");
        assertArrayEquals(d.features(), fromReader.features());
    }

    @Test
    void badFilesNameFileLineAndProblem() throws IOException {
        Path p = write("iris.csv", IRIS.replace("6.3,3.3,6.0,2.5,virginica", "6.3,3.3,6.0,virginica"));
        assertEquals(
                p + ":4: expected 5 fields, found 4",
                assertThrows(IOException.class, () -> CsvReader.csv().read(p)).getMessage());
        Path q = write("iris2.csv", IRIS.replace("4.9,3.0", "abc,3.0"));
        assertEquals(
                q + ":5: not a number: 'abc' in column 'sepal_length'",
                assertThrows(IOException.class, () -> CsvReader.csv().read(q)).getMessage());
        Path r = write("nh.csv", "1,2,3\n4,,6\n");
        assertEquals(
                r + ":2: empty value in column 1",
                assertThrows(
                                IOException.class,
                                () -> CsvReader.csv().header(false).read(r))
                        .getMessage());
        Path s = write("inf.csv", "a,b\nInfinity,1\n");
        assertEquals(
                s + ":2: Infinity in column 'a' is not finite",
                assertThrows(IOException.class, () -> CsvReader.csv().read(s)).getMessage());
        Path t = write("quote.csv", "a,b\n1,2\n\"3,4\n5,6\n");
        assertEquals(
                t + ":3: a quoted field is never closed",
                assertThrows(IOException.class, () -> CsvReader.csv().read(t)).getMessage());
        Path u = write("after.csv", "a,b\n\"1\"x,2\n");
        assertEquals(
                u + ":2: unexpected text after a closing quote",
                assertThrows(IOException.class, () -> CsvReader.csv().read(u)).getMessage());
        Path e = write("empty.csv", "\n\n");
        assertEquals(
                e + ": the file is empty",
                assertThrows(IOException.class, () -> CsvReader.csv().read(e)).getMessage());
        Path h = write("header.csv", "a,b\n");
        assertEquals(
                h + ": no data rows after the header",
                assertThrows(IOException.class, () -> CsvReader.csv().read(h)).getMessage());
        Path f = write("fixed.csv", "x,y\n1,a\n2,z\n");
        assertEquals(
                f + ":3: unknown class 'z', expected one of [a, b]",
                assertThrows(
                                IOException.class,
                                () -> CsvReader.csv()
                                        .classNames(List.of("a", "b"))
                                        .read(f))
                        .getMessage());
        Path n = write("numbers.csv", "x,y\n1,2\n2,oops\n");
        assertEquals(
                n + ":3: not a number: 'oops' in column 'y'",
                assertThrows(
                                IOException.class,
                                () -> CsvReader.csv().categorical(false).read(n))
                        .getMessage());
        assertTrue(assertThrows(IOException.class, () -> CsvReader.csv().read(dir.resolve("missing.csv")))
                .getMessage()
                .contains("missing.csv"));
    }

    @Test
    void wrongColumnChoicesNameTheFile() throws IOException {
        Path p = write("iris.csv", IRIS);
        assertEquals(
                p + ": no column 'kind' in the header [sepal_length, sepal_width, petal_length, petal_width, species]",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> CsvReader.csv().target("kind").read(p))
                        .getMessage());
        assertEquals(
                p + ": target column 5 is out of range for 5 columns",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> CsvReader.csv().targetIndex(5).read(p))
                        .getMessage());
        assertEquals(
                p + ": class labels need exactly one target column, got 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> CsvReader.csv()
                                        .targetIndex(3, 4)
                                        .categorical(true)
                                        .read(p))
                        .getMessage());
        Path q = write("nh.csv", "1,2\n");
        assertEquals(
                q + ": column 'y' chosen by name, but the file has no header",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> CsvReader.csv().header(false).target("y").read(q))
                        .getMessage());
    }
}
