package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The early flushes change when bytes reach the disk, never which bytes the file holds. */
class DurableFileTest {

    @TempDir
    Path directory;

    @Test
    void writesEveryByteInOrderAcrossManyEarlyFlushes() throws IOException {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(14).nextBytes(data);
        Path file = directory.resolve("x.dump");
        try (OutputStream out = new DurableFile(
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 64 * 1024)) {
            for (int offset = 0; offset < data.length; offset += 10_000) {
                out.write(data, offset, Math.min(10_000, data.length - offset));
            }
            out.write(7);
        }

        byte[] stored = Files.readAllBytes(file);
        assertThat(stored).hasSize(data.length + 1);
        assertThat(java.util.Arrays.copyOf(stored, data.length)).isEqualTo(data);
        assertThat(stored[data.length]).isEqualTo((byte) 7);
    }

    @Test
    void aClosedFileRefusesMoreDataAndClosesOnce() throws IOException {
        Path file = directory.resolve("y.dump");
        OutputStream out = BackupArea.createDurableFile(file);
        out.write(new byte[] {1, 2, 3});
        out.close();
        out.close();

        assertThatThrownBy(() -> out.write(4)).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(BackupArea.PRIVATE_FILE);
    }
}
