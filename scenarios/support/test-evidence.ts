import { EvidenceSlot } from "../../harness/evidence/evidence-slot.ts";

/**
 * The evidence slot of this test file: the vitest setup (`evidence-setup.ts`) puts each test's recorder in it, and
 * suites pass it to the worlds and targets they start (`evidence: testEvidence`), so their frames reach the test's
 * evidence: its failure timeline, its round trips, `hilfarm run --evidence` files.
 */
export const testEvidence = new EvidenceSlot();
