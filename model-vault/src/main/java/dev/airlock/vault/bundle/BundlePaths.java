package dev.airlock.vault.bundle;

import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import java.util.regex.Pattern;

/** The names inside a bundle, and the rules every path must follow. */
public final class BundlePaths {
  /** The first entry: the manifest, read and checked before anything else. */
  public static final String MANIFEST = "bundle/manifest.json";
  /** The second entry: the transfer signature over the manifest. */
  public static final String SIGNATURE = "bundle/manifest.sig";
  public static final String MODEL_DIR = "model/";
  public static final String SBOM_DIR = "sbom/";
  /** The publisher's own OpenSSF Model Signing signature, when the model directory carries one. */
  public static final String PUBLISHER_SIGNATURE = MODEL_DIR + "model.sig";

  /** Longer names are refused: no file system Airlock runs on needs more. */
  static final int MAX_PATH_LENGTH = 4096;
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

  private BundlePaths() {}

  /**
   * Refuses anything that could land outside the vault or mean two things on two systems:
   * absolute paths, {@code ..} and {@code .} segments, backslashes, control characters, empty
   * segments, and names outside {@code model/} and {@code sbom/}.
   */
  public static String requireSafe(String path) {
    String why = unsafeReason(path);
    if (why != null) {
      throw new BundleRejectedException(Problem.UNSAFE_PATH,
          "unsafe path '" + printable(path) + "' in the bundle: " + why
              + ". A bundle holds only relative paths under model/ and sbom/; recreate it with"
              + " 'airlock bundle create'.");
    }
    return path;
  }

  private static String unsafeReason(String path) {
    if (path == null || path.isEmpty()) return "the name is empty";
    if (path.length() > MAX_PATH_LENGTH) return "longer than " + MAX_PATH_LENGTH + " characters";
    if (path.startsWith("/")) return "it is absolute";
    if (DRIVE.matcher(path).matches()) return "it starts with a drive letter";
    if (path.indexOf('\\') >= 0) return "it contains a backslash";
    for (int i = 0; i < path.length(); i++) {
      if (Character.isISOControl(path.charAt(i))) return "it contains a control character";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) return "it climbs out with '..'";
      if (segment.equals(".")) return "it contains a '.' segment";
      if (segment.isEmpty()) return "it contains an empty segment";
    }
    if (!path.startsWith(MODEL_DIR) && !path.startsWith(SBOM_DIR)) {
      return "it is neither under model/ nor under sbom/";
    }
    return null;
  }

  static String printable(String path) {
    if (path == null) return "";
    StringBuilder b = new StringBuilder();
    for (char c : path.toCharArray()) {
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      if (b.length() > 200) return b.append("...").toString();
    }
    return b.toString();
  }
}
