package io.nerva.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;

/**
 * How the tasks of a barrier stage swap their gradients each step: every task hands in its
 * message (all messages have the same length) and gets every task's message back, by partition
 * id, its own included. The caller sums them in that order, so the reduction is the same on every
 * task whatever order the bytes arrived in.
 */
public interface GradientExchange extends AutoCloseable {

    /** Fills {@code all[k]} with task k's message; {@code mine} is this task's. */
    void exchange(byte[] mine, byte[][] all);

    @Override
    void close();

    /** How the bytes travel. */
    enum Transport {
        /**
         * {@link BarrierTaskContext#allGather}: base64 text through the driver's barrier
         * coordinator (every task sends its message to the driver, which sends all of them to
         * every task). Needs nothing else, but the driver carries W² messages per step.
         */
        ALL_GATHER,
        /**
         * TCP between the tasks, connected once (the addresses swapped with one allGather): each
         * task sends its message straight to each other task, W − 1 messages out and in per task.
         */
        SOCKETS;

        GradientExchange open(BarrierTaskContext ctx, int messageBytes) {
            return switch (this) {
                case ALL_GATHER -> new AllGather(ctx);
                case SOCKETS -> Sockets.connect(ctx, messageBytes);
            };
        }
    }

    /** {@link Transport#ALL_GATHER}. */
    final class AllGather implements GradientExchange {
        private final BarrierTaskContext ctx;
        private final Base64.Encoder encoder = Base64.getEncoder();
        private final Base64.Decoder decoder = Base64.getDecoder();

        AllGather(BarrierTaskContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void exchange(byte[] mine, byte[][] all) {
            String[] messages = ctx.allGather(encoder.encodeToString(mine));
            for (int k = 0; k < messages.length; k++) {
                int n = decoder.decode(messages[k].getBytes(StandardCharsets.ISO_8859_1), all[k]);
                if (n != mine.length)
                    throw new IllegalStateException("task " + k + " sent " + n + " bytes, expected " + mine.length);
            }
        }

        @Override
        public void close() {}
    }

    /** {@link Transport#SOCKETS}: one connection per pair of tasks; the lower rank accepts. */
    final class Sockets implements GradientExchange {
        /** A peer silent for this long has failed (Spark then restarts the whole barrier stage). */
        private static final int READ_TIMEOUT_MILLIS = 10 * 60 * 1000;

        private final int rank;
        private final Socket[] peers;
        private final DataInputStream[] in;
        private final DataOutputStream[] out;
        private final ExecutorService senders;

        private Sockets(int rank, Socket[] peers, int messageBytes) throws IOException {
            this.rank = rank;
            this.peers = peers;
            this.in = new DataInputStream[peers.length];
            this.out = new DataOutputStream[peers.length];
            for (int k = 0; k < peers.length; k++) {
                if (k == rank) continue;
                in[k] = new DataInputStream(new BufferedInputStream(peers[k].getInputStream(), 1 << 16));
                out[k] = new DataOutputStream(new BufferedOutputStream(peers[k].getOutputStream(), 1 << 16));
            }
            this.senders = Executors.newFixedThreadPool(Math.max(1, peers.length - 1), r -> {
                Thread t = new Thread(r, "nerva-gradient-sender-" + rank);
                t.setDaemon(true);
                return t;
            });
        }

        static Sockets connect(BarrierTaskContext ctx, int messageBytes) {
            int rank = ctx.partitionId();
            int workers = ctx.getTaskInfos().length;
            String executor = ctx.getTaskInfos()[rank].address();
            String host = executor.contains(":") ? executor.substring(0, executor.lastIndexOf(':')) : executor;
            Socket[] peers = new Socket[workers];
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(0), workers);
                String[] addresses = ctx.allGather(host + ":" + server.getLocalPort());
                // Connect to every lower rank (its server queues the connection), then accept the higher ones.
                for (int k = 0; k < rank; k++) {
                    String a = addresses[k];
                    Socket s = new Socket();
                    s.connect(
                            new InetSocketAddress(
                                    a.substring(0, a.lastIndexOf(':')),
                                    Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))),
                            60_000);
                    new DataOutputStream(s.getOutputStream()).writeInt(rank);
                    peers[k] = tune(s);
                }
                server.setSoTimeout(60_000);
                for (int accepted = 0; accepted < workers - 1 - rank; accepted++) {
                    Socket s = server.accept();
                    int k = new DataInputStream(s.getInputStream()).readInt();
                    if (k <= rank || k >= workers || peers[k] != null)
                        throw new IOException("unexpected peer rank " + k);
                    peers[k] = tune(s);
                }
                return new Sockets(rank, peers, messageBytes);
            } catch (IOException e) {
                for (Socket s : peers) closeQuietly(s);
                throw new UncheckedIOException(
                        "task " + rank + " could not connect to the other barrier tasks: " + e.getMessage(), e);
            }
        }

        private static Socket tune(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.setSendBufferSize(1 << 20);
            s.setReceiveBufferSize(1 << 20);
            return s;
        }

        @Override
        public void exchange(byte[] mine, byte[][] all) {
            List<Future<?>> sent = new ArrayList<>(peers.length);
            for (int k = 0; k < peers.length; k++) {
                if (k == rank) continue;
                DataOutputStream o = out[k];
                sent.add(senders.submit(() -> {
                    o.write(mine);
                    o.flush();
                    return null;
                }));
            }
            try {
                for (int k = 0; k < peers.length; k++) {
                    if (k != rank) in[k].readFully(all[k], 0, mine.length);
                }
                for (Future<?> f : sent) f.get();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "task " + rank + " lost a peer while exchanging gradients: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while exchanging gradients", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new UncheckedIOException(
                        "task " + rank + " could not send its gradient: "
                                + e.getCause().getMessage(),
                        e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
            }
            System.arraycopy(mine, 0, all[rank], 0, mine.length);
        }

        @Override
        public void close() {
            senders.shutdownNow();
            for (Socket s : peers) closeQuietly(s);
        }

        private static void closeQuietly(Socket s) {
            if (s == null) return;
            try {
                s.close();
            } catch (IOException ignored) {
                // closing after the run or after a failure already reported
            }
        }
    }
}
