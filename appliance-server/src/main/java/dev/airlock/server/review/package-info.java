/**
 * Model review and DPO approval: what happens to a model between its import into the vault and
 * its activation. {@link dev.airlock.server.review.ModelReviews} owns it: a review runs the
 * license audit on the version's files as stored in the vault, judges the facts with the active
 * policy, stores both reports with the verdict (tables {@code model_review} and
 * {@code model_decision}, migrations V50_10-V50_19) and moves the version IMPORTED -> UNDER_REVIEW
 * or DENIED; DPOs then approve (as many different ones as the policy asks) or reject, each
 * decision with a justification and an audit record appended before it is committed. Who may act
 * as a DPO is the web layer's question, not this package's.
 */
package dev.airlock.server.review;
