package com.apintake.backup.control;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBEDataDecryptorFactoryBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * Backups as OpenPGP messages (RFC 4880), so any DBA opens them with the stock tool:
 * {@code gpg --batch --pinentry-mode loopback --passphrase-file key --decrypt x.dump.gpg | pg_restore ...}.
 * Symmetric: AES-256 with the integrity packet (SEIPD v1 + MDC, what gpg 2.2 writes and checks), the
 * session key derived from the passphrase with iterated and salted SHA-256 S2K. No compression: pg_dump
 * -Fc and WAL compress or do not gain from it. Streamed with partial-length packets, so a dump of any
 * size is encrypted in one pass with constant memory. Reading back checks the integrity packet at the
 * end: a damaged or truncated file fails instead of restoring silently short.
 */
public final class OpenPgpEncryption {

    public static final String SUFFIX = ".gpg";
    /** RFC 4880 coded count 0xC0: 4,194,304 bytes hashed per key derivation (gpg's own default is similar). */
    private static final int S2K_COUNT = 0xC0;

    private static final int BUFFER = 1 << 16;

    /**
     * Ciphers and digests from the JDK's own providers (SunJCE, SUN), which use the CPU's AES and SHA
     * instructions, instead of Bouncy Castle's pure-Java engines (see the benchmark in docs/backups-restore.md).
     * Bouncy Castle is not registered as a provider: it only writes and reads the OpenPGP packets.
     */
    private static final org.bouncycastle.openpgp.operator.PGPDigestCalculatorProvider DIGESTS;

    static {
        try {
            DIGESTS = new JcaPGPDigestCalculatorProviderBuilder().build();
        } catch (PGPException e) {
            throw new IllegalStateException("no SHA digests in this JDK", e);
        }
    }

    private final char[] passphrase;
    private final SecureRandom random = new SecureRandom();

    public OpenPgpEncryption(String passphrase) {
        if (passphrase == null || passphrase.isEmpty()) {
            throw new IllegalArgumentException("an empty passphrase encrypts nothing");
        }
        this.passphrase = passphrase.toCharArray();
    }

    /** Closing the returned stream finishes the OpenPGP message and closes target. */
    public OutputStream encrypting(OutputStream target, String fileName) throws IOException {
        try {
            var generator =
                    new PGPEncryptedDataGenerator(new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                            .setWithIntegrityPacket(true)
                            .setSecureRandom(random));
            generator.addMethod(
                    new JcePBEKeyEncryptionMethodGenerator(passphrase, DIGESTS.get(HashAlgorithmTags.SHA256), S2K_COUNT)
                            .setSecureRandom(random));
            OutputStream encrypted = generator.open(target, new byte[BUFFER]);
            var literal = new PGPLiteralDataGenerator();
            OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, fileName, new Date(), new byte[BUFFER]);
            return ClosingStream.of(plain, () -> {
                try {
                    plain.close();
                    encrypted.close();
                } finally {
                    target.close();
                }
            });
        } catch (PGPException e) {
            throw new IOException("OpenPGP encryption could not start: " + e.getMessage(), e);
        }
    }

    /** The plaintext of a passphrase-encrypted OpenPGP message (ours or gpg's); EOF only after the integrity check passed. */
    public InputStream decrypting(InputStream source) throws IOException {
        try {
            var factory = new BcPGPObjectFactory(PGPUtil.getDecoderStream(source));
            Object object = factory.nextObject();
            while (object != null && !(object instanceof PGPEncryptedDataList)) {
                object = factory.nextObject(); // a marker packet may come first
            }
            if (object == null) {
                throw new IOException("not an OpenPGP encrypted file");
            }
            PGPPBEEncryptedData encrypted = null;
            for (var data : (PGPEncryptedDataList) object) {
                if (data instanceof PGPPBEEncryptedData pbe) {
                    encrypted = pbe;
                    break;
                }
            }
            if (encrypted == null) {
                throw new IOException("the file is encrypted to a public key, not with a passphrase");
            }
            if (!encrypted.isIntegrityProtected()) {
                throw new IOException("the file has no integrity protection (MDC); refusing to trust it");
            }
            InputStream clear;
            try {
                clear = encrypted.getDataStream(new JcePBEDataDecryptorFactoryBuilder(DIGESTS).build(passphrase));
            } catch (PGPException e) {
                throw new IOException("decryption failed: wrong key, or the file is damaged");
            }
            var inner = new BcPGPObjectFactory(clear);
            Object message = inner.nextObject();
            if (message instanceof PGPCompressedData compressed) {
                message = new BcPGPObjectFactory(compressed.getDataStream()).nextObject();
            }
            if (!(message instanceof PGPLiteralData literal)) {
                throw new IOException("the decrypted message holds no data packet");
            }
            return new Verified(literal.getInputStream(), encrypted, source);
        } catch (PGPException e) {
            throw new IOException("not a readable OpenPGP file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("not a readable OpenPGP file: " + e.getMessage(), e);
        }
    }

    /** Fails at the end of the data unless the modification detection code matches. */
    private static final class Verified extends FilterInputStream {
        private final PGPPBEEncryptedData encrypted;
        private final InputStream source;
        private boolean checked;

        Verified(InputStream data, PGPPBEEncryptedData encrypted, InputStream source) {
            super(data);
            this.encrypted = encrypted;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                check();
            }
            return b;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            int n = super.read(target, offset, length);
            if (n < 0) {
                check();
            }
            return n;
        }

        private void check() throws IOException {
            if (checked) {
                return;
            }
            try {
                if (!encrypted.verify()) {
                    throw new IOException("integrity check failed: the file is damaged or was changed");
                }
            } catch (PGPException e) {
                throw new IOException("integrity check failed: " + e.getMessage(), e);
            }
            checked = true;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                source.close();
            }
        }
    }
}
