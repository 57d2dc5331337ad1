package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The format is checked against the stock gpg binary (Debian gnupg), both ways: that is the point of it. */
class OpenPgpEncryptionTest {

    private static final String KEY = "FdfGq0kqUhOTv8g2mpZmVkh2bHj5uR4Eimvxfbqm9Fs=";
    private final OpenPgpEncryption encryption = new OpenPgpEncryption(KEY);

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 300_001})
    void roundTripsAnyLengthAcrossPartialPacketBoundaries(int length) throws IOException {
        byte[] plain = bytes(length, length);
        assertThat(decrypt(encrypt(plain))).isEqualTo(plain);
    }

    @Test
    void theCiphertextRevealsNothingAndDiffersEachTime() throws IOException {
        byte[] plain = "PGDMP invoices invoices invoices".repeat(20).getBytes();
        byte[] first = encrypt(plain);
        assertThat(new String(first)).doesNotContain("PGDMP").doesNotContain("invoices");
        assertThat(first).isNotEqualTo(encrypt(plain));
    }

    @Test
    void aWrongKeyIsRefused() throws IOException {
        byte[] sealed = encrypt(bytes(1000, 3));
        assertThatThrownBy(() -> new OpenPgpEncryption("another passphrase")
                        .decrypting(new ByteArrayInputStream(sealed))
                        .readAllBytes())
                .isInstanceOf(IOException.class);
    }

    @Test
    void aChangedByteFailsTheIntegrityCheck() throws IOException {
        byte[] sealed = encrypt(bytes(200_000, 4));
        sealed[sealed.length / 2] ^= 1;
        assertThatThrownBy(() -> decrypt(sealed)).isInstanceOf(IOException.class);
    }

    @Test
    void aTruncatedFileFailsInsteadOfEndingShort() throws IOException {
        byte[] sealed = encrypt(bytes(200_000, 5));
        byte[] truncated = Arrays.copyOf(sealed, sealed.length - 30);
        assertThatThrownBy(() -> decrypt(truncated)).isInstanceOf(IOException.class);
    }

    @Test
    void stockGpgDecryptsWhatWeWrite() throws Exception {
        byte[] plain = bytes(250_000, 6);
        Path sealed = Files.write(work.resolve("x.dump.gpg"), encrypt(plain));
        Path out = work.resolve("x.dump");
        var gpg = gpg("--output", out.toString(), "--decrypt", sealed.toString());
        assertThat(gpg.exitValue())
                .as(new String(gpg.getErrorStream().readAllBytes()))
                .isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(plain);
    }

    @Test
    void weDecryptWhatStockGpgWrites() throws Exception {
        byte[] plain = bytes(250_000, 7);
        Path source = Files.write(work.resolve("segment"), plain);
        Path sealed = work.resolve("segment.gpg");
        // Encrypting with a passphrase needs gpg-agent: started for this home folder, stopped below.
        var gpg = gpgWithAgent(
                "--symmetric", "--cipher-algo", "AES256", "--output", sealed.toString(), source.toString());
        try {
            assertThat(gpg.exitValue())
                    .as(new String(gpg.getErrorStream().readAllBytes()))
                    .isZero();
        } finally {
            new ProcessBuilder("gpgconf", "--homedir", home().toString(), "--kill", "gpg-agent")
                    .start()
                    .waitFor();
        }
        assertThat(decrypt(Files.readAllBytes(sealed))).isEqualTo(plain);
    }

    private Process gpg(String... arguments) throws Exception {
        return run(true, arguments);
    }

    private Process gpgWithAgent(String... arguments) throws Exception {
        return run(false, arguments);
    }

    private Process run(boolean noAgent, String... arguments) throws Exception {
        Path passphrase = work.resolve("key");
        Files.writeString(passphrase, KEY + "\n");
        var command = new java.util.ArrayList<>(List.of(
                "gpg",
                "--homedir",
                home().toString(),
                "--batch",
                "--quiet",
                "--pinentry-mode",
                "loopback",
                "--passphrase-file",
                passphrase.toString()));
        if (noAgent) {
            command.add("--no-autostart");
        }
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        process.waitFor();
        return process;
    }

    private Path home() throws IOException {
        Path home = work.resolve("gnupg");
        if (!Files.isDirectory(home)) {
            Files.createDirectory(
                    home,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        return home;
    }

    private byte[] encrypt(byte[] plain) throws IOException {
        var sink = new ByteArrayOutputStream();
        try (OutputStream out = encryption.encrypting(sink, "x.dump")) {
            // odd-sized writes, as a pipe delivers them
            for (int offset = 0; offset < plain.length; offset += 7001) {
                out.write(plain, offset, Math.min(7001, plain.length - offset));
            }
        }
        return sink.toByteArray();
    }

    private byte[] decrypt(byte[] sealed) throws IOException {
        try (var in = encryption.decrypting(new ByteArrayInputStream(sealed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
