package com.apintake.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU seconds (user + system, from /proc) of the three parties of a load cell on this one machine:
 * Payara, PostgreSQL (the postmaster and every backend it forked) and the load generator itself. The
 * profile that says where the cores went when throughput drops. Linux only; 0 where /proc says nothing.
 *
 * <p>Beside them: of Payara's seconds, those of its JIT compiler threads ({@code C1/C2 CompilerThre...})
 * and of its garbage collector and VM threads ({@code GC Thread#N}, {@code G1 ...}, {@code VM Thread});
 * the harness's reaped children (a pgbench it waited for: {@code cutime + cstime}); and the whole
 * machine's busy seconds ({@code /proc/stat}, everything but idle and iowait), so that what none of the
 * parties used is visible too.
 */
final class CpuMeter {

    record Reading(
            double payara,
            double postgres,
            double harness,
            double payaraJit,
            double payaraGc,
            double children,
            double machine) {
        Reading minus(Reading before) {
            return new Reading(
                    payara - before.payara,
                    postgres - before.postgres,
                    harness - before.harness,
                    payaraJit - before.payaraJit,
                    payaraGc - before.payaraGc,
                    children - before.children,
                    machine - before.machine);
        }
    }

    private static final double TICKS = 100.0; // USER_HZ on Linux

    private CpuMeter() {}

    static Reading read(long payaraPid, Path postgresDataDir) {
        long postmaster = postmaster(postgresDataDir);
        double postgres = 0;
        if (postmaster > 0) {
            // the postmaster, the backends it has reaped (pgbench's, once it disconnected) and the living ones
            postgres = seconds(postmaster) + children(postmaster);
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                for (Path process : processes
                        .filter(p -> p.getFileName().toString().matches("\\d+"))
                        .toList()) {
                    List<String> fields = fields(process.resolve("stat"));
                    if (fields.size() > 16 && fields.get(3).equals(Long.toString(postmaster))) {
                        postgres += (Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14))) / TICKS;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a process ended while listed: its ticks are lost from this reading only
            }
        }
        long self = ProcessHandle.current().pid();
        return new Reading(
                seconds(payaraPid),
                postgres,
                seconds(self),
                threads(payaraPid, "C1 CompilerThre", "C2 CompilerThre"),
                threads(payaraPid, "GC Thread#", "G1 ", "VM Thread"),
                children(self),
                machine());
    }

    /** CPU seconds of the living threads of a process whose name (15 characters on Linux) starts with a prefix. */
    private static double threads(long pid, String... prefixes) {
        double seconds = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                List<String> fields = fields(task.resolve("stat"));
                if (fields.size() > 16 && Stream.of(prefixes).anyMatch(fields.get(1)::startsWith)) {
                    seconds += (Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14))) / TICKS;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process or a thread ended while listed
        }
        return seconds;
    }

    /** cutime + cstime: the CPU of the children this process has waited for. */
    private static double children(long pid) {
        List<String> fields = fields(Path.of("/proc", Long.toString(pid), "stat"));
        if (fields.size() < 17) {
            return 0;
        }
        return (Long.parseLong(fields.get(15)) + Long.parseLong(fields.get(16))) / TICKS;
    }

    /** Busy seconds of the whole machine, all cores: the first line of /proc/stat without idle and iowait. */
    private static double machine() {
        try {
            String[] cpu =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(cpu[i]);
                }
            }
            return busy / TICKS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long postmaster(Path dataDir) {
        try {
            return Long.parseLong(
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of a process and its reaped children are not counted: the living process only. */
    private static double seconds(long pid) {
        List<String> fields = fields(Path.of("/proc", Long.toString(pid), "stat"));
        if (fields.size() < 16) {
            return 0;
        }
        return (Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14))) / TICKS;
    }

    /** /proc/PID/stat split into fields, the command name (which may hold spaces) kept as one. */
    private static List<String> fields(Path stat) {
        try {
            String text = Files.readString(stat);
            int close = text.lastIndexOf(')');
            String head = text.substring(0, text.indexOf('(')).trim();
            String name = text.substring(text.indexOf('(') + 1, close);
            List<String> rest = List.of(text.substring(close + 2).trim().split(" "));
            return Stream.concat(Stream.of(head, name), rest.stream()).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
