package io.nerva.blas;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * oneDNN 2.6.3 keeps data below the stack pointer in its kernels, so a signal handled on the
 * thread's stack during {@code dnnl_sgemm} corrupts the C heap (the process aborts in free()).
 * This test sends SIGHUP (handled, harmlessly, by the JVM) to a thread every ~50 µs while it
 * multiplies through {@link OneDnnGemm} with freshly allocated operands; without the signal mask
 * around each call it aborted the JVM.
 */
class OneDnnSignalsTest {
    @Test
    void signalsDuringProductsCorruptNothing() throws Throwable {
        Blas blas = Backends.get("onednn");
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {});
        Linker linker = Linker.nativeLinker();
        MethodHandle self = linker.downcallHandle(
                linker.defaultLookup().find("pthread_self").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
        MethodHandle kill = linker.downcallHandle(
                linker.defaultLookup().find("pthread_kill").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        AtomicLong target = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        long[] checksum = {0};
        Thread worker = new Thread(() -> {
            try {
                target.set((long) self.invokeExact());
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            int m = 64, n = 128, k = 784;
            for (int it = 0; it < 6000; it++) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment a = arena.allocate(4L * m * k), b = arena.allocate(4L * k * n);
                    MemorySegment c = arena.allocate(4L * m * n);
                    a.fill((byte) 0x3c); // 0x3c3c3c3c ≈ 0.0115
                    b.fill((byte) 0x3c);
                    blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    blas.sgemm(true, false, k, n, m, 1f, a, 0, k, c, 0, n, 0f, b, 0, n);
                    checksum[0] += Float.floatToIntBits(c.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 7));
                }
            }
        });
        worker.start();
        while (target.get() == 0) Thread.onSpinWait();
        while (worker.isAlive()) {
            int rc = (int) kill.invokeExact(target.get(), 1); // SIGHUP
            if (rc != 0) break; // the thread ended between the check and the kill
            sent.incrementAndGet();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        worker.join();
        // every product had the same operands: the same bits each time
        assertEquals(6000L * Float.floatToIntBits(lastC(blas)), checksum[0], "results changed under signals");
        System.out.println("signals sent during products: " + sent.get());
    }

    private static float lastC(Blas blas) {
        try (Arena arena = Arena.ofConfined()) {
            int m = 64, n = 128, k = 784;
            MemorySegment a = arena.allocate(4L * m * k), b = arena.allocate(4L * k * n);
            MemorySegment c = arena.allocate(4L * m * n);
            a.fill((byte) 0x3c);
            b.fill((byte) 0x3c);
            blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            return c.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 7);
        }
    }
}
