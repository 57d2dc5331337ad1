package com.apintake.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a {@link PayaraMicroLaunch} command into one member of a Payara Micro cluster on loopback
 * (PLATFORM-NOTES "Two Payara Micro instances"): its own --name, a shared --clustername, TCP/IP
 * discovery of the listed members (multicast over loopback is unreliable), Hazelcast on 127.0.0.1 at
 * the member's own port, and --nohostaware (all members share one IP; otherwise the grid keeps no
 * backups).
 */
public final class PayaraCluster {

    private PayaraCluster() {}

    /**
     * The command with --nocluster replaced by the cluster options, and a pre-boot file (written to
     * workDir) that is the loopback one with this member's Hazelcast start port.
     */
    public static List<String> member(
            List<String> command,
            Path basedir,
            Path workDir,
            String clusterName,
            String instanceName,
            int hazelcastPort,
            List<Integer> memberPorts)
            throws IOException {
        Files.createDirectories(workDir);
        Path preBoot = workDir.resolve("pre-boot-cluster.asadmin");
        String loopback =
                Files.readString(basedir.resolve("server-config/pre-boot-loopback.asadmin"), StandardCharsets.UTF_8);
        Files.writeString(
                preBoot,
                loopback.replaceAll(
                        "(?m)^set hazelcast-runtime-configuration.start-port=.*$",
                        "set hazelcast-runtime-configuration.start-port=" + hazelcastPort),
                StandardCharsets.UTF_8);
        String members = memberPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
        List<String> clustered = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            String option = command.get(i);
            if (option.equals("--nocluster")) {
                clustered.addAll(List.of(
                        "--name",
                        instanceName,
                        "--clustername",
                        clusterName,
                        "--clustermode",
                        "tcpip:" + members,
                        "--interfaces",
                        "127.0.0.1",
                        "--startport",
                        Integer.toString(hazelcastPort),
                        "--nohostaware"));
            } else if (option.equals("--prebootcommandfile")) {
                clustered.add(option);
                clustered.add(preBoot.toString());
                i++;
            } else {
                clustered.add(option);
            }
        }
        return clustered;
    }
}
