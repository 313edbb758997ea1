package io.nerva.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nerva.processor.Sources.compile;
import static io.nerva.processor.Sources.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import io.nerva.runtime.Model;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The generated {@code initialize(seed)} goes through the parameters' write gate like load and training. */
class InitializeGateTest {

    @Test
    void reinitialisingIsDeterministicAndRefusedAfterClose() throws Exception {
        Compilation c = compile(network("@Network(input = {3}) abstract class Net", "@Dense(4) Layer out;"));
        assertThat(c).succeeded();
        Class<?> type = new GeneratedClassLoader(c).loadClass("test.NetModel");
        Method create = type.getMethod("create", long.class), initialize = type.getMethod("initialize", long.class);
        create.setAccessible(true);
        initialize.setAccessible(true);
        Model m = (Model) create.invoke(null, 1L);
        float[] first = m.parameters().toArray();
        initialize.invoke(m, 2L);
        initialize.invoke(m, 1L);
        assertArrayEquals(first, m.parameters().toArray(), "the same seed gives the same weights");
        m.close();
        var e = assertThrows(InvocationTargetException.class, () -> initialize.invoke(m, 1L));
        assertEquals(IllegalStateException.class, e.getCause().getClass());
        assertTrue(e.getCause().getMessage().contains("is closed"), e.getCause().getMessage());
    }
}
