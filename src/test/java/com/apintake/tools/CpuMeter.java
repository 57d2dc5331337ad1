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
 */
final class CpuMeter {

    record Reading(double payara, double postgres, double harness) {
        Reading minus(Reading before) {
            return new Reading(payara - before.payara, postgres - before.postgres, harness - before.harness);
        }
    }

    private static final double TICKS = 100.0; // USER_HZ on Linux

    private CpuMeter() {}

    static Reading read(long payaraPid, Path postgresDataDir) {
        long postmaster = postmaster(postgresDataDir);
        double postgres = 0;
        if (postmaster > 0) {
            postgres = seconds(postmaster);
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
        return new Reading(
                seconds(payaraPid), postgres, seconds(ProcessHandle.current().pid()));
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
