package io.nerva.runtime.kernels;

import io.nerva.blas.Parallel;
import io.nerva.runtime.kernels.ConvKernels.Geometry;
import java.lang.foreign.MemorySegment;

/**
 * The per-sample passes of convolution and pooling, split by samples across {@link Parallel}'s
 * threads: each sample's output depends on that sample alone, so every part writes its own
 * samples and the results are the same bits on any number of threads. One job per calling thread,
 * refilled per call: a split allocates nothing.
 */
enum SampleParts {
    IM2COL,
    COL2IM,
    MAX_FORWARD,
    MAX_BACKWARD;

    /** Calls moving fewer floats than this stay on one thread (system property {@code nerva.splitSamples}). */
    static final long MIN_FLOATS = Long.getLong("nerva.splitSamples", 1L << 14);

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /**
     * Runs this pass over {@code rows} samples on several threads and returns true, or returns
     * false (the caller runs it whole) when the call is small, nested or contended, or a segment is
     * confined to its thread. {@code a}, {@code b}, {@code c}: the pass's segments in the order of
     * its range method ({@code c} NULL when it has two).
     */
    boolean split(Geometry g, MemorySegment a, MemorySegment b, MemorySegment c, int rows) {
        long floats = (long) rows * Math.max(g.inSize(), (long) g.oh() * g.ow() * g.patch());
        if (rows < 2 || floats < MIN_FLOATS || !Parallel.available()) return false;
        if (!Parallel.shared(a) || !Parallel.shared(b) || !Parallel.shared(c)) return false;
        Job job = JOBS.get();
        job.pass = this;
        job.g = g;
        job.a = a;
        job.b = b;
        job.c = c;
        job.rows = rows;
        try {
            Parallel.run(job, Math.min(rows, Parallel.threads()));
        } finally {
            job.a = job.b = job.c = null;
            job.g = null;
        }
        return true;
    }

    private static final class Job implements Parallel.Task {
        SampleParts pass;
        Geometry g;
        MemorySegment a, b, c;
        int rows;

        @Override
        public void run(int part, int parts) {
            int from = Parallel.start(part, rows, parts), to = Parallel.start(part + 1, rows, parts);
            switch (pass) {
                case IM2COL -> ConvKernels.im2col(g, a, b, from, to);
                case COL2IM -> ConvKernels.col2im(g, a, b, from, to);
                case MAX_FORWARD -> PoolKernels.maxForward(g, a, b, c, from, to);
                case MAX_BACKWARD -> PoolKernels.maxBackward(g, a, c, b, from, to);
            }
        }
    }
}
