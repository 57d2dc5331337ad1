package com.apintake.backup.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamEncryptionTest {

    private static final int CHUNK = 64;
    private final byte[] key = bytes(32, 1);
    private final StreamEncryption encryption = new StreamEncryption(key, CHUNK);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17})
    void roundTripsAnyLengthAcrossChunkBoundaries(int length) throws IOException {
        byte[] plain = bytes(length, length);
        byte[] sealed = encrypt(plain);
        int chunks = Math.max(1, (length + CHUNK - 1) / CHUNK); // a full last buffer is the final chunk itself
        assertThat(sealed).hasSize(StreamEncryption.HEADER_LENGTH + length + chunks * StreamEncryption.TAG_BYTES);
        assertThat(decrypt(encryption, sealed)).isEqualTo(plain);
    }

    @Test
    void theCiphertextRevealsNothingOfThePlaintextAndDiffersEachTime() throws IOException {
        byte[] plain = "PGDMP invoices invoices invoices".repeat(20).getBytes();
        byte[] first = encrypt(plain);
        byte[] second = encrypt(plain);
        assertThat(new String(first)).doesNotContain("PGDMP").doesNotContain("invoices");
        assertThat(Arrays.copyOfRange(first, 20, first.length))
                .isNotEqualTo(Arrays.copyOfRange(second, 20, second.length));
    }

    @Test
    void aWrongKeyFails() throws IOException {
        byte[] sealed = encrypt(bytes(200, 3));
        var other = new StreamEncryption(bytes(32, 2), CHUNK);
        assertThatThrownBy(() -> decrypt(other, sealed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("wrong key");
    }

    @Test
    void truncationAtAChunkBoundaryIsNoticed() throws IOException {
        byte[] sealed = encrypt(bytes(3 * CHUNK + 10, 4));
        int twoChunks = StreamEncryption.HEADER_LENGTH + 2 * (CHUNK + StreamEncryption.TAG_BYTES);
        assertThatThrownBy(() -> decrypt(encryption, Arrays.copyOf(sealed, twoChunks)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aFlippedBitIsNoticed() throws IOException {
        byte[] sealed = encrypt(bytes(150, 5));
        sealed[StreamEncryption.HEADER_LENGTH + 70] ^= 1;
        assertThatThrownBy(() -> decrypt(encryption, sealed)).isInstanceOf(IOException.class);
    }

    @Test
    void somethingElseIsRefused() {
        assertThatThrownBy(() -> decrypt(encryption, "PGDMP....................".getBytes()))
                .hasMessageContaining("not an ap-intake encrypted backup");
    }

    @Test
    void theKeyMustBe32BytesOfBase64AndIsNeverInTheMessage() {
        String shortKey = Base64.getEncoder().encodeToString(bytes(16, 9));
        assertThatThrownBy(() -> StreamEncryption.fromBase64(shortKey))
                .hasMessageContaining("32 bytes")
                .message()
                .doesNotContain(shortKey);
        assertThatThrownBy(() -> StreamEncryption.fromBase64("not base64 !!")).hasMessageContaining("not valid base64");
        assertThat(StreamEncryption.fromBase64(Base64.getEncoder().encodeToString(key)))
                .isNotNull();
    }

    private byte[] encrypt(byte[] plain) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = encryption.encrypting(sink)) {
            // in uneven pieces, as a pipe delivers them
            int offset = 0;
            int step = 7;
            while (offset < plain.length) {
                int n = Math.min(step, plain.length - offset);
                out.write(plain, offset, n);
                offset += n;
                step = step * 3 % 97 + 1;
            }
        }
        return sink.toByteArray();
    }

    private static byte[] decrypt(StreamEncryption encryption, byte[] sealed) throws IOException {
        return encryption.decrypting(new ByteArrayInputStream(sealed)).readAllBytes();
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
