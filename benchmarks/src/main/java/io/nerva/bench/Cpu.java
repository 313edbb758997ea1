package io.nerva.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the peak-FLOP/s estimate needs: core count, model name and clock. */
final class Cpu {
    /** AVX2 + FMA, no AVX-512: 2 FMA pipes × 8 float lanes × 2 flops (multiply + add) per cycle. */
    static final int FLOPS_PER_CYCLE = 2 * 8 * 2;

    private Cpu() {}

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String field(String name) {
        return cpuinfo().stream()
                .filter(l -> l.startsWith(name))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst()
                .orElse(null);
    }

    static String model() {
        String m = field("model name");
        return m == null ? System.getProperty("os.arch") : m;
    }

    /**
     * The highest of: cpufreq's maximum (where the kernel exposes it) and /proc/cpuinfo's
     * "cpu MHz". On a VM the latter is the host's nominal clock; turbo may run higher, so the
     * peak is an estimate, not a bound.
     */
    static double clockGhz() {
        double max = maxFreqGhz();
        double mhz = cpuinfo().stream()
                .filter(l -> l.startsWith("cpu MHz"))
                .mapToDouble(
                        l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).strip()))
                .max()
                .orElse(0);
        return Math.max(max, mhz / 1000);
    }

    static String clockSource() {
        return maxFreqGhz() > 0 ? "cpufreq cpuinfo_max_freq" : "\"cpu MHz\" in /proc/cpuinfo";
    }

    private static double maxFreqGhz() {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"))
                            .strip())
                    / 1e6;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
