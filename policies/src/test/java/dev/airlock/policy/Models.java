package dev.airlock.policy;

import static dev.airlock.license.LicenseCategory.NON_COMMERCIAL;
import static dev.airlock.license.LicenseCategory.OPEN_WEIGHTS_RESTRICTED;
import static dev.airlock.license.LicenseCategory.PERMISSIVE;
import static dev.airlock.license.LicenseCategory.UNKNOWN;

import dev.airlock.policy.PolicyFacts.Ancestor;
import dev.airlock.policy.PolicyFacts.Provenance;
import dev.airlock.policy.PolicyFacts.PublisherSignature;
import dev.airlock.policy.PolicyFacts.RestrictionKind;
import dev.airlock.policy.PolicyFacts.Safety;
import dev.airlock.policy.PolicyFacts.SubjectKind;
import dev.airlock.policy.PolicyFacts.TransferState;
import java.util.List;
import java.util.Optional;

/**
 * Fixture models, described the way license-audit and the model inspector describe them (ids
 * and categories from the license catalog, clauses from the corpus license texts).
 */
final class Models {
  static final String LLAMA_31 = "LicenseRef-scancode-llama-3.1-license-2024";
  static final String GEMMA = "LicenseRef-scancode-gemma-tou-2024-04-01";

  private Models() {}

  /** A bundle that arrived signed, verified, with an SBOM, publisher-signed by a trusted key. */
  static PolicyFacts.Builder signedBundle(String name) {
    return PolicyFacts.builder(name, SubjectKind.BUNDLE)
        .provenance(new Provenance(TransferState.VERIFIED, "bundle signed by transfer key acme-2026",
            Optional.of(new PublisherSignature("Example Publisher", true, true)), true));
  }

  static PolicyFacts qwen3Like() {
    return signedBundle("Qwen/Qwen3-8B")
        .license("Apache-2.0", "Apache License 2.0", PERMISSIVE,
            "README.md (line 3): \"license: apache-2.0\"; LICENSE (line 2): \"Apache License Version 2.0\"")
        .origin("Alibaba Cloud", "CN", "bundle manifest: publisher Alibaba Cloud, origin CN")
        .build();
  }

  static PolicyFacts.Builder llamaTerms(PolicyFacts.Builder b, String ancestor) {
    return b.inheritedLicense(LLAMA_31, "Llama 3.1 Community License Agreement",
            OPEN_WEIGHTS_RESTRICTED, ancestor,
            "LICENSE (line 1): \"LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\"")
        .ancestor(new Ancestor(ancestor, "finetune", true, Optional.of("Meta"), Optional.of("US"),
            "README.md (line 4): \"base_model: " + ancestor + "\""))
        .threshold(LLAMA_31, 700_000_000L,
            "LICENSE §2: \"greater than 700 million monthly active users\"")
        .obligation(LLAMA_31, "Display \"Built with Llama\" on a related website, user interface,"
            + " blogpost, about page, or product documentation.", "LICENSE §1.b.i")
        .obligation(LLAMA_31, "Include \"Llama\" at the beginning of the name of any AI model"
            + " distributed that is built with Llama.", "LICENSE §1.b.i")
        .obligation(LLAMA_31, "Comply with the Acceptable Use Policy for Llama 3.1.", "LICENSE §1.b.iv")
        .restriction(LLAMA_31, RestrictionKind.FIELD_OF_USE,
            "military, warfare, nuclear industries or applications, espionage",
            "USE_POLICY.md §2.a");
  }

  static PolicyFacts llama31FineTune() {
    return llamaTerms(signedBundle("acme/Llama-3.1-8B-support-ft"), "meta-llama/Llama-3.1-8B")
        .origin("Acme Models", "US", "bundle manifest: publisher Acme Models, origin US")
        .build();
  }

  /** Declared MIT on its card, but distilled from Llama 3.1: bound by Llama's terms too. */
  static PolicyFacts mitDistillationOfLlama() {
    return llamaTerms(signedBundle("acme/tiny-distill")
            .license("MIT", "MIT License", PERMISSIVE, "README.md (line 3): \"license: mit\""),
        "meta-llama/Llama-3.1-70B-Instruct")
        .origin("Acme Models", "US", "bundle manifest: publisher Acme Models, origin US")
        .build();
  }

  static PolicyFacts gemma() {
    return signedBundle("google/gemma-2-9b-it")
        .license(GEMMA, "Gemma Terms of Use", OPEN_WEIGHTS_RESTRICTED,
            "LICENSE (line 1): \"Gemma Terms of Use\"")
        .obligation(GEMMA, "Include the use restrictions of section 3.2 (Prohibited Use Policy) as"
            + " an enforceable provision in any agreement governing the use or distribution of"
            + " Gemma or Model Derivatives, and give them notice of it.", "LICENSE §3.1")
        .obligation(GEMMA, "Give recipients a copy of the Gemma Terms of Use and the Notice"
            + " \"Gemma is provided under and subject to the Gemma Terms of Use\".", "LICENSE §3.1")
        .restriction(GEMMA, RestrictionKind.FIELD_OF_USE,
            "the uses listed in the Gemma Prohibited Use Policy", "LICENSE §3.2")
        .origin("Google", "US", "bundle manifest: publisher Google, origin US")
        .build();
  }

  static PolicyFacts ccByNc() {
    return signedBundle("lab/nc-research-7b")
        .license("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0", NON_COMMERCIAL,
            "README.md (line 3): \"license: cc-by-nc-4.0\"")
        .origin("Research Lab", "DE", "bundle manifest: publisher Research Lab, origin DE")
        .build();
  }

  static PolicyFacts pickleWeights() {
    return signedBundle("old/gpt-small")
        .license("Apache-2.0", "Apache License 2.0", PERMISSIVE, "LICENSE (line 2)")
        .origin("Old Lab", "FR", "bundle manifest")
        .safety(new Safety(List.of("pytorch_model.bin"), List.of(), Optional.empty()))
        .build();
  }

  static PolicyFacts fromCountry(String publisher, String country) {
    return signedBundle(publisher.toLowerCase() + "/model")
        .license("Apache-2.0", "Apache License 2.0", PERMISSIVE, "LICENSE (line 2)")
        .origin(publisher, country, "bundle manifest: publisher " + publisher + ", origin " + country)
        .build();
  }

  static PolicyFacts unknownLicense() {
    return signedBundle("someone/mystery-7b")
        .license("LicenseRef-unidentified-LICENSE", "unidentified license text", UNKNOWN,
            "LICENSE: similar to LicenseRef-airlock-llama-3 (0.91) but not the same")
        .origin("Someone", "US", "bundle manifest")
        .build();
  }
}
