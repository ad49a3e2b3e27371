package dev.airlock.vault.signing;

import static dev.airlock.vault.signing.VerificationException.Check.CERTIFICATE_CHAIN;
import static dev.airlock.vault.signing.VerificationException.Check.CERTIFICATE_KEY_USAGE;
import static dev.airlock.vault.signing.VerificationException.Check.CERTIFICATE_VALIDITY;
import static dev.airlock.vault.signing.VerificationException.Check.DIGEST_MISMATCH;
import static dev.airlock.vault.signing.VerificationException.Check.KEY_MISMATCH;
import static dev.airlock.vault.signing.VerificationException.Check.MISSING_FILE;
import static dev.airlock.vault.signing.VerificationException.Check.MODEL_KIND;
import static dev.airlock.vault.signing.VerificationException.Check.PAYLOAD_TYPE;
import static dev.airlock.vault.signing.VerificationException.Check.SIGNATURE;
import static dev.airlock.vault.signing.VerificationException.Check.UNSIGNED_FILE;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.VerificationException.FileProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies OMS signatures, with one trusted public key ({@code key} method) or with trusted root
 * certificates ({@code certificate} method), and then verifies the model, a directory or a single
 * file, against the signed statement: the same kind of model as was signed, every signed file
 * present with its digest, nothing unsigned unless ignored.
 */
public final class ModelVerifier {
  /** Extended key usage id-kp-codeSigning (RFC 5280 4.2.1.12). */
  private static final String CODE_SIGNING_EKU = "1.3.6.1.5.5.7.3.3";
  /** Index of digitalSignature in {@link X509Certificate#getKeyUsage()}. */
  private static final int DIGITAL_SIGNATURE = 0;
  /** How many file problems an error message lists before summarising the rest. */
  private static final int PROBLEMS_SHOWN = 10;

  private sealed interface Trust {}

  private record TrustedKey(VerifyingKey key) implements Trust {}

  private record TrustedRoots(Set<TrustAnchor> anchors, List<X509Certificate> roots, Clock clock)
      implements Trust {}

  private final Trust trust;
  private final ModelHasher hasher;

  private ModelVerifier(Trust trust, ModelHasher hasher) {
    this.trust = trust;
    this.hasher = hasher;
  }

  /** The {@code key} method: signatures must verify with this public key. */
  public static ModelVerifier withKey(VerifyingKey key) {
    return new ModelVerifier(new TrustedKey(key), new ModelHasher());
  }

  /**
   * The {@code certificate} method: the bundle's chain must lead to one of {@code roots}, and the
   * signing certificate be valid at {@code clock}'s time and allowed to sign.
   */
  public static ModelVerifier withTrustedRoots(List<X509Certificate> roots, Clock clock) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted root certificate is needed");
    }
    Set<TrustAnchor> anchors = roots.stream().map(r -> new TrustAnchor(r, null))
        .collect(Collectors.toSet());
    return new ModelVerifier(new TrustedRoots(anchors, List.copyOf(roots), clock), new ModelHasher());
  }

  /** Reads trusted root certificates from a PEM file (one or more {@code BEGIN CERTIFICATE}). */
  public static List<X509Certificate> readCertificates(Path pemFile) throws IOException {
    return Pem.certificates(Files.readString(pemFile, StandardCharsets.US_ASCII), pemFile.toString());
  }

  /** The same verifier, hashing with {@code hasher} (e.g. a different thread count). */
  public ModelVerifier withHasher(ModelHasher hasher) {
    return new ModelVerifier(trust, hasher);
  }

  /**
   * Checks the bundle's signer and signature and returns the signed in-toto statement, whatever
   * its predicate type (the caller checks that).
   */
  public VerifiedStatement verifyStatement(SigstoreBundle bundle) throws VerificationException {
    DsseEnvelope envelope = bundle.envelope();
    VerifyingKey key;
    String signer;
    SigningMethod method;
    switch (trust) {
      case TrustedKey(VerifyingKey trusted) -> {
        if (bundle.material() instanceof SigstoreBundle.PublicKeyHint(var hint)
            && hint.isPresent() && !hint.get().equalsIgnoreCase(trusted.hint())) {
          throw new VerificationException(KEY_MISMATCH, "key check failed: the signature names the"
              + " key with hint " + hint.get() + " but the public key given has hint "
              + trusted.hint() + "; verify with the public key of whoever signed this model");
        }
        key = trusted;
        signer = trusted.toString();
        method = SigningMethod.KEY;
      }
      case TrustedRoots roots -> {
        if (!(bundle.material() instanceof SigstoreBundle.CertificateChain chain)) {
          throw new VerificationException(CERTIFICATE_CHAIN, "certificate chain check failed: the"
              + " signature carries no certificate chain (it was made with the key method);"
              + " verify it with --public-key instead");
        }
        X509Certificate leaf = checkChain(chain.certificates(), roots);
        key = leafKey(leaf);
        signer = leaf.getSubjectX500Principal().getName();
        method = SigningMethod.CERTIFICATE;
      }
    }
    byte[] payload = Dsse.verify(envelope, key);
    if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      throw new VerificationException(PAYLOAD_TYPE, "payload type check failed: the DSSE payload"
          + " type is '" + envelope.payloadType() + "', expected '" + Dsse.IN_TOTO_PAYLOAD_TYPE + "'");
    }
    return new VerifiedStatement(method, signer, InTotoStatement.parse(payload));
  }

  /**
   * Verifies {@code model}, a directory or a single file, against {@code signatureFile}. For a
   * directory, ignored: the default paths ({@code .git} ...), the signature file itself when it
   * lies in the directory, the paths the signature recorded as ignored, and {@code ignorePaths}
   * (relative to the directory). A single file is checked whole.
   *
   * @throws IllegalArgumentException when {@code model} is a file and {@code signatureFile} is that
   *     same file, or {@code ignorePaths} is not empty
   */
  public VerifiedModel verify(Path model, Path signatureFile, Collection<String> ignorePaths,
      Progress progress) throws IOException, VerificationException {
    List<String> ignored = new ArrayList<>(ignorePaths);
    Path abs = model.toAbsolutePath().normalize();
    Path sig = signatureFile.toAbsolutePath().normalize();
    if (ModelHasher.isSingleFile(model)) {
      if (sig.equals(abs) || Files.exists(sig) && Files.isSameFile(sig, abs)) {
        throw new IllegalArgumentException("the signature file " + signatureFile + " is the model"
            + " file itself; give the signature with --signature");
      }
      ModelHasher.requireNoIgnorePaths(model, ignored);
    } else if (sig.startsWith(abs)) {
      ignored.add(abs.relativize(sig).toString().replace('\\', '/'));
    }
    return verify(model, ModelSignature.read(signatureFile), ignored, progress);
  }

  /**
   * Verifies {@code model} against {@code signature}: its signer and statement, then that the
   * statement covers the same kind of model (a single file or a directory), then every digest.
   */
  public VerifiedModel verify(Path model, ModelSignature signature,
      Collection<String> ignorePaths, Progress progress)
      throws IOException, VerificationException {
    VerifiedStatement verified = verifyStatement(signature.bundle());
    ModelManifest expected = ModelManifest.fromStatement(verified.statement());
    boolean singleFile = ModelHasher.isSingleFile(model);
    if (!expected.resources().isEmpty() && expected.isSingleFile() != singleFile) {
      throw new VerificationException(MODEL_KIND, "model kind check failed: " + (singleFile
          ? "the signature covers a model directory ('" + expected.modelName() + "', "
              + plural(expected.fileCount(), "file") + ") but " + model + " is a single file; verify the"
              + " directory that was signed"
          : "the signature covers a single file (resource '" + ModelManifest.SINGLE_FILE
              + "', signed as '" + expected.modelName() + "') but " + model + " is a directory;"
              + " verify the file that was signed, giving the signature with --signature"));
    }
    ModelManifest actual = hasher.hash(model, expected.serialization(), ignorePaths, progress);
    compare(expected, actual);
    return new VerifiedModel(verified.method(), verified.signer(), expected);
  }

  /**
   * Verifies a model as a publisher ships it: a directory that carries its signature as
   * {@code model.sig}. When the signature covers a directory, that is this directory (less
   * {@code model.sig}); when it covers a single file, that is the one file lying beside
   * {@code model.sig}, and anything else in the directory (but the default ignores) is refused.
   */
  public VerifiedModel verifyPublished(Path modelDir, Progress progress)
      throws IOException, VerificationException {
    Path sigFile = modelDir.resolve(ModelSignature.DEFAULT_FILE_NAME);
    ModelSignature signature = ModelSignature.read(sigFile);
    ModelManifest expected = ModelManifest.fromStatement(
        verifyStatement(signature.bundle()).statement());
    if (!expected.isSingleFile()) {
      return verify(modelDir, sigFile, List.of(), progress);
    }
    Set<String> besides = new java.util.LinkedHashSet<>(ModelHasher.DEFAULT_IGNORED);
    besides.add(ModelSignature.DEFAULT_FILE_NAME);
    List<Path> files = ModelHasher.listFiles(modelDir, besides);
    if (files.size() != 1) {
      List<String> names = files.stream().map(f -> ModelHasher.relativeName(modelDir, f))
          .sorted().toList();
      throw new VerificationException(MODEL_KIND, "model kind check failed: the signature covers a"
          + " single file ('" + expected.modelName() + "') but " + modelDir + " holds "
          + (files.isEmpty() ? "no file" : plural(files.size(), "file")) + " beside "
          + ModelSignature.DEFAULT_FILE_NAME + (files.isEmpty() ? "" : " ("
              + String.join(", ", names.subList(0, Math.min(PROBLEMS_SHOWN, names.size())))
              + (names.size() > PROBLEMS_SHOWN ? ", ..." : "") + ")")
          + "; a model signed as a single file travels alone with its "
          + ModelSignature.DEFAULT_FILE_NAME);
    }
    return verify(files.getFirst(), signature, List.of(), progress);
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static void compare(ModelManifest expected, ModelManifest actual)
      throws VerificationException {
    Map<String, Sha256> want = expected.digestsByName();
    Map<String, Sha256> have = actual.digestsByName();
    List<FileProblem> problems = new ArrayList<>();
    want.forEach((name, digest) -> {
      Sha256 found = have.get(name);
      if (found == null) {
        problems.add(new FileProblem(MISSING_FILE, name, digest.hex(), "(missing)"));
      } else if (!found.equals(digest)) {
        problems.add(new FileProblem(DIGEST_MISMATCH, name, digest.hex(), found.hex()));
      }
    });
    have.forEach((name, digest) -> {
      if (!want.containsKey(name)) {
        problems.add(new FileProblem(UNSIGNED_FILE, name, "(not signed)", digest.hex()));
      }
    });
    if (problems.isEmpty()) {
      return;
    }
    VerificationException.Check first = problems.stream().map(FileProblem::kind)
        .min(Enum::compareTo).orElseThrow();
    StringBuilder message = new StringBuilder("the model does not match its signature ("
        + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):");
    // "." alone reads like a typo: say it is the model's one file.
    String suffix = expected.isSingleFile() ? " (the model file)" : "";
    for (FileProblem p : problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size()))) {
      message.append("\n  ").append(p.name()).append(suffix).append(switch (p.kind()) {
        case DIGEST_MISMATCH -> ": digest mismatch, expected sha256:" + p.expected()
            + ", found sha256:" + p.found();
        case MISSING_FILE -> ": signed but missing, expected sha256:" + p.expected();
        case UNSIGNED_FILE -> ": present but not signed (sha256:" + p.found()
            + "); remove it or pass it to --ignore-paths";
        default -> ": " + p.kind();
      });
    }
    if (problems.size() > PROBLEMS_SHOWN) {
      message.append("\n  ... and ").append(problems.size() - PROBLEMS_SHOWN).append(" more");
    }
    throw new VerificationException(first, message.toString(), problems);
  }

  private static X509Certificate checkChain(List<X509Certificate> chain, TrustedRoots roots)
      throws VerificationException {
    Date when = Date.from(roots.clock().instant());
    X509Certificate leaf = chain.getFirst();
    for (X509Certificate cert : chain) {
      try {
        cert.checkValidity(when);
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new VerificationException(CERTIFICATE_VALIDITY, "certificate validity check failed: "
            + (cert == leaf ? "the signing certificate " : "the chain certificate ")
            + cert.getSubjectX500Principal().getName() + " is valid from "
            + cert.getNotBefore().toInstant() + " to " + cert.getNotAfter().toInstant()
            + ", not at " + when.toInstant() + "; ask the signer to re-sign with a current certificate");
      }
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(roots.anchors(), target);
      params.setRevocationEnabled(false); // offline: no CRL or OCSP to reach
      params.setDate(when);
      params.addCertStore(CertStore.getInstance("Collection",
          new CollectionCertStoreParameters(chain.subList(1, chain.size())), Pem.BC));
      CertPathBuilder.getInstance("PKIX", Pem.BC).build(params);
    } catch (CertPathBuilderException e) {
      throw new VerificationException(CERTIFICATE_CHAIN, "certificate chain check failed: the"
          + " signing certificate " + leaf.getSubjectX500Principal().getName() + " (issued by "
          + leaf.getIssuerX500Principal().getName() + ") does not chain to a trusted root ("
          + roots.roots().stream().map(r -> r.getSubjectX500Principal().getName())
              .collect(Collectors.joining("; "))
          + "): " + e.getMessage() + ". Pass the signer's root CA with --certificate-chain", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle provides PKIX path building", e);
    }
    boolean[] usage = leaf.getKeyUsage();
    boolean digitalSignature = usage != null && usage.length > DIGITAL_SIGNATURE
        && usage[DIGITAL_SIGNATURE];
    if (!digitalSignature && !hasCodeSigning(leaf)) {
      throw new VerificationException(CERTIFICATE_KEY_USAGE, "certificate key usage check failed:"
          + " the signing certificate " + leaf.getSubjectX500Principal().getName()
          + " has neither the digitalSignature key usage nor the codeSigning extended key usage,"
          + " so it may not sign models");
    }
    return leaf;
  }

  private static boolean hasCodeSigning(X509Certificate cert) {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      return eku != null && eku.contains(CODE_SIGNING_EKU);
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static VerifyingKey leafKey(X509Certificate leaf) throws VerificationException {
    try {
      return VerifyingKey.of(leaf.getPublicKey(), "signing certificate "
          + leaf.getSubjectX500Principal().getName());
    } catch (IllegalArgumentException e) {
      throw new VerificationException(SIGNATURE, e.getMessage());
    }
  }
}
