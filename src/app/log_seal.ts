/**
 * The seal of a data directory: a small file beside the log (`log.seal`) recording what must be
 * there, so that a log file emptied, deleted, swapped for another log's or for an older copy is
 * refused instead of being taken as a new, empty log. It is replaced atomically (written in full
 * under a private name, then renamed) at open, about once a second while the log grows, and at
 * close.
 *
 * @module
 */
import { DataDirError } from "../common/mod.ts";
import { identify, replaceFile } from "../runtime/file_probe.ts";
import { readFileBytes } from "../runtime/files.ts";
import type { EventLog } from "../store/mod.ts";

/** The seal's file name inside the data directory. */
export const SEAL_FILE = "log.seal";
/** The LMDB file the seal vouches for, relative to the data directory. */
export const LOG_FILE = "log/data.mdb";

/** What a seal records. */
export interface Seal {
  /** The id written into the log when it was created. */
  logId: string;
  /** The last seq acknowledged when the seal was written. */
  acknowledgedSeq: number;
  /** The size of `data.mdb` then (LMDB never shrinks it). */
  minBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The seal of the data directory `dir`, or `undefined` when it has none (a new directory, or
 * one written before seals existed).
 *
 * @throws {DataDirError} `LOG_SEAL_DAMAGED` when the seal cannot be read as one.
 */
export async function readSeal(dir: string): Promise<Seal | undefined> {
  const file = `${dir}/${SEAL_FILE}`;
  const bytes = await readFileBytes(file);
  if (bytes === undefined) return undefined;
  let value: Partial<Seal> & { seal?: unknown };
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    value = {};
  }
  const { logId, acknowledgedSeq, minBytes } = value;
  if (value.seal !== "actant-log" || typeof logId !== "string" || !isCount(acknowledgedSeq) || !isCount(minBytes)) {
    throw new DataDirError(dir, `${file} is not a readable seal; if the log in ${dir}/log is intact, remove it`, {
      code: "LOG_SEAL_DAMAGED",
      file,
    });
  }
  return { logId, acknowledgedSeq, minBytes };
}

/**
 * Before the log opens: refuses a `data.mdb` that is missing, empty or shorter than the seal
 * says it was.
 *
 * @throws {DataDirError} `LOG_FILE_REPLACED` or `LOG_FILE_DAMAGED`.
 */
export async function checkSealedFile(dir: string, seal: Seal): Promise<void> {
  const file = `${dir}/${LOG_FILE}`;
  const found = await identify(file);
  const held =
    `the seal ${dir}/${SEAL_FILE} says it held ${seal.minBytes} bytes and events up to seq ${seal.acknowledgedSeq}`;
  if (found === undefined || found.size === 0) {
    throw new DataDirError(
      dir,
      `${file} is ${found === undefined ? "missing" : "empty"}, but ${held}; restore it from a backup`,
      {
        code: "LOG_FILE_REPLACED",
        file,
      },
    );
  }
  if (found.size < seal.minBytes) {
    throw new DataDirError(dir, `${file} is ${found.size} bytes long, but ${held} (the file is truncated)`, {
      code: "LOG_FILE_DAMAGED",
      file,
    });
  }
}

/**
 * After the log opened: refuses a log that is not the sealed one, or ends before what the seal
 * says was acknowledged.
 *
 * @throws {DataDirError} `LOG_FILE_REPLACED`.
 */
export function checkSealedLog(dir: string, seal: Seal, log: EventLog): void {
  const file = `${dir}/${LOG_FILE}`;
  if (log.id !== seal.logId) {
    throw new DataDirError(
      dir,
      `${file} holds log ${log.id}, but the seal ${dir}/${SEAL_FILE} is for log ${seal.logId}: it was replaced`,
      {
        code: "LOG_FILE_REPLACED",
        file,
      },
    );
  }
  if (log.lastSeq < seal.acknowledgedSeq) {
    throw new DataDirError(
      dir,
      `${file} ends at seq ${log.lastSeq}, but the seal says events up to seq ${seal.acknowledgedSeq} ` +
        "were acknowledged (an older copy?)",
      { code: "LOG_FILE_REPLACED", file },
    );
  }
}

/** Seals `dir` for `log`, whose events up to `acknowledgedSeq` are acknowledged. */
export async function writeSeal(dir: string, log: EventLog, acknowledgedSeq: number): Promise<void> {
  const size = (await identify(`${dir}/${LOG_FILE}`))?.size ?? 0;
  const seal = { seal: "actant-log", version: 1, logId: log.id, acknowledgedSeq, minBytes: size };
  await replaceFile(`${dir}/${SEAL_FILE}`, encoder.encode(`${JSON.stringify(seal)}\n`));
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
