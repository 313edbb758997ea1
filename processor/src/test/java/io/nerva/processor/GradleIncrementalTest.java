package io.nerva.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.annotation.processing.Processor;
import org.junit.jupiter.api.Test;

/**
 * Gradle compiles incrementally only with processors its jar declares in
 * META-INF/gradle/incremental.annotation.processors. NetworkProcessor is "isolating": each model
 * has exactly one originating element, its network class (IncrementalTest checks that), and is
 * decided by that class alone.
 */
class GradleIncrementalTest {
    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = NetworkProcessor.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is missing from the processor's output");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        }
    }

    @Test
    void declaresTheProcessorIsolating() throws Exception {
        List<String> entries = lines("META-INF/gradle/incremental.annotation.processors");
        assertEquals(List.of(NetworkProcessor.class.getName() + ",isolating"), entries);
        Class<?> declared =
                Class.forName(entries.get(0).substring(0, entries.get(0).indexOf(',')));
        assertTrue(Processor.class.isAssignableFrom(declared), declared + " is a Processor");
    }

    @Test
    void declaresTheSameProcessorJavacDiscovers() throws Exception {
        assertEquals(
                List.of(NetworkProcessor.class.getName()), lines("META-INF/services/" + Processor.class.getName()));
    }
}
