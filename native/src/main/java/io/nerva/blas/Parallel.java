package io.nerva.blas;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Nerva's own threads: the parts of a task run on the calling thread and on worker threads that
 * spin between tasks, so a hand-off costs well under a microsecond. OpenBLAS's own pool splits a
 * 64-row product worse than one thread does (measured: every product of a batch-64 MLP, CNN or LSTM
 * step ran slower on 2 OpenBLAS threads than on 1), so the BLAS runs single-threaded and Nerva
 * splits products and element-wise passes itself.
 *
 * <p>Parts are claimed, not assigned: the caller and every worker take the next unclaimed part
 * until none is left, so when the other cores are busy with other processes the caller simply runs
 * the parts a worker did not get to, and a task never takes much longer than on one thread. One
 * task runs at a time: a call made while another runs (from inside a part, or from a second user
 * thread) runs all its parts on its own thread. Tasks are reusable objects, so a hand-off allocates
 * nothing. Workers spin briefly after a task, then yield their core to
 * other processes until {@link #SPIN_NANOS} have passed, then park until the next task.
 */
public final class Parallel {
    /** The work of one part: {@code part} of {@code parts}, {@code 0 ≤ part < parts}. */
    @FunctionalInterface
    public interface Task {
        void run(int part, int parts);
    }

    /** How long an idle worker spins before it parks (system property {@code nerva.spinMicros}). */
    static final long SPIN_NANOS = 1000L * Long.getLong("nerva.spinMicros", 200L);

    /** How long an idle worker only spins, before it starts yielding its core. */
    private static final long PURE_SPIN_NANOS = 40_000;

    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** The most parts one task may have: the part count and the next part share {@link #STATE}. */
    public static final int MAX_PARTS = 0xFFFF;

    // The running task in one word, so that a worker reads its generation, part count and next
    // unclaimed part together: generation (high 32 bits), parts (16), next unclaimed part (low 16).
    // A part count read apart from its generation once let a worker claim a part past the end of a
    // task that had ended, when the next task had more parts.
    private static final AtomicLong STATE = new AtomicLong();
    private static final AtomicInteger DONE = new AtomicInteger();
    private static volatile Task task;
    private static volatile Throwable failure;
    private static volatile int threads = 1;
    private static Worker[] workers = new Worker[0];

    private Parallel() {}

    /** Whether a task started now would get more than one thread (not nested, not contended). */
    public static boolean available() {
        return threads > 1 && !BUSY.get();
    }

    /** Whether the workers may access {@code s} (a confined arena's segment: only its owner may). */
    public static boolean shared(java.lang.foreign.MemorySegment s) {
        Worker[] ws = workers;
        return ws.length == 0 || s.isAccessibleBy(ws[0]);
    }

    /** The threads a task may use, the caller's included. */
    public static int threads() {
        return threads;
    }

    /** Sets the threads tasks may use (the caller's included); starts workers as needed. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (workers.length < n - 1) {
            Worker[] grown = java.util.Arrays.copyOf(workers, n - 1);
            for (int i = workers.length; i < grown.length; i++) {
                grown[i] = new Worker(i + 1);
                grown[i].start();
            }
            workers = grown;
        }
        threads = n;
    }

    /**
     * Runs {@code task.run(p, parts)} for every {@code p < parts} and returns when all are done;
     * the first failure of any part is rethrown. With one thread, or while another task runs, all
     * parts run on the calling thread in order.
     */
    public static void run(Task t, int parts) {
        if (parts <= 1) {
            if (parts == 1) t.run(0, 1);
            return;
        }
        if (parts > MAX_PARTS)
            throw new IllegalArgumentException("a task has at most " + MAX_PARTS + " parts, got " + parts);
        Worker[] ws = workers;
        if (threads < 2 || ws.length == 0 || !BUSY.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) t.run(p, parts);
            return;
        }
        try {
            task = t;
            failure = null;
            DONE.set(0);
            int generation = (int) (STATE.get() >>> 32) + 1;
            STATE.set(((long) generation << 32) | ((long) parts << 16)); // publishes the fields above; part 0 is next
            int wake = Math.min(ws.length, Math.min(threads, parts) - 1);
            for (int i = 0; i < wake; i++) ws[i].wake();
            work(generation, t);
            for (int spins = 0; DONE.get() < parts; spins++) {
                if (spins < 4096) Thread.onSpinWait();
                else Thread.yield(); // a worker was descheduled in its part
            }
            Throwable f = failure;
            if (f instanceof RuntimeException e) throw e;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException("a parallel part failed", f);
        } finally {
            task = null;
            BUSY.set(false);
        }
    }

    /** Claims and runs parts of task {@code generation} until none is left. */
    private static void work(int generation, Task t) {
        while (true) {
            long s = STATE.get();
            int part = (int) (s & 0xFFFF), parts = (int) ((s >>> 16) & 0xFFFF);
            if ((int) (s >>> 32) != generation || part >= parts) return;
            if (!STATE.compareAndSet(s, s + 1)) continue;
            try {
                t.run(part, parts);
            } catch (Throwable e) {
                if (failure == null) failure = e;
            } finally {
                DONE.incrementAndGet();
            }
        }
    }

    /** First index of part {@code p} of {@code parts} over {@code [0, n)}, balanced and in order. */
    public static int start(int p, int n, int parts) {
        return (int) ((long) n * p / parts);
    }

    /** Rows of a weight matrix that go to one part: the width of the BLAS micro-kernels. */
    public static final int ROW_ALIGN = 16;

    /**
     * First row of block {@code p} of {@code parts} over {@code rows}: balanced, on a multiple of
     * {@link #ROW_ALIGN} inside. Every parallel pass over a weight matrix (the products that read it
     * or write its gradient, the optimizer that updates it) splits its rows at these edges, so a
     * row block stays in the cache of the core that owns it: the part index is also the thread
     * that claims it first, and moving a block's lines between cores each step cost more than the
     * second core saved (an Adam step of the Fashion MLP took as long on 2 threads as on 1 while its
     * forward product split the weights by columns).
     */
    public static int blockStart(int p, int rows, int parts) {
        if (p <= 0) return 0;
        if (p >= parts) return rows;
        int e = start(p, rows, parts);
        return Math.min(rows, (e + ROW_ALIGN / 2) / ROW_ALIGN * ROW_ALIGN);
    }

    private static final class Worker extends Thread {
        private volatile boolean parked;

        Worker(int index) {
            super("nerva-worker-" + index);
            setDaemon(true);
        }

        void wake() {
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int seen = (int) (STATE.get() >>> 32);
            while (true) {
                long idleSince = System.nanoTime();
                int spins = 0;
                long idle = 0;
                while ((int) (STATE.get() >>> 32) == seen) {
                    if ((++spins & 63) == 0) idle = System.nanoTime() - idleSince;
                    if (idle < PURE_SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else if (idle < SPIN_NANOS) {
                        Thread.yield(); // lets another process have this core while no task comes
                    } else {
                        parked = true;
                        if ((int) (STATE.get() >>> 32) == seen) LockSupport.park(this);
                        parked = false;
                        idleSince = System.nanoTime();
                        idle = 0;
                    }
                }
                seen = (int) (STATE.get() >>> 32);
                Task t = task;
                // a stale read (the task ended and another began) claims nothing: work checks the
                // generation, and the next task is only written once every part of this one is claimed
                if (t != null) work(seen, t);
            }
        }
    }
}
