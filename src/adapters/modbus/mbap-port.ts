/**
 * Modbus TCP framing (the MBAP header) in front of the protocol library, in
 * place of the library's own TCP port, which takes any protocol identifier
 * for Modbus, trusts the length field and cannot tell a stray answer from a
 * late one. Every answer is checked against the request in flight before the
 * library sees it; the library then gets what its serial ports give it (unit,
 * PDU, CRC) and checks function code, length and exception as for RTU.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';

/** Transaction id, protocol id, length, unit id. */
const MBAP_HEADER_BYTES = 7;
/** What the length field counts: the unit id and the PDU (function code and at least one byte). */
const MIN_LENGTH = 3;
/** A PDU is at most 253 bytes, plus the unit id. */
const MAX_LENGTH = 254;
/** Requests given up in a row whose late answers may still arrive. */
const ABANDONED_KEPT = 16;
/** Function codes whose normal answer is a byte count followed by that many bytes. */
const BYTE_COUNT_FUNCTIONS = new Set([1, 2, 3, 4]);

export interface MbapPortOptions {
  /** The CRC the library checks on every frame it is handed, computed by the library's own rule. */
  crc16: (bytes: Buffer) => number;
  /** An answer that does not fit: the stream is out of step and cannot be trusted any more. */
  onGarbled: (reason: string) => void;
}

interface Expected {
  transactionId: number;
  unitId: number;
}

/** The port interface modbus-serial drives: open, write, close, destroy, isOpen, and 'data' events. */
export class MbapPort extends EventEmitter {
  readonly #socket: net.Socket;
  readonly #options: MbapPortOptions;
  #received: Buffer = Buffer.alloc(0);
  #nextTransactionId = 1;
  #expected: Expected | undefined;
  /**
   * Transactions given up (timed out) since the last answer; their answers
   * may still come and are dropped when they do. A device answers in order,
   * so once a later request is answered, none of them will.
   */
  readonly #abandoned = new Set<number>();
  #garbled = false;

  constructor(socket: net.Socket, options: MbapPortOptions) {
    super();
    this.#socket = socket;
    this.#options = options;
    socket.on('data', (data: Buffer) => this.#receive(data));
  }

  get isOpen(): boolean {
    return !this.#garbled && !this.#socket.destroyed && this.#socket.readyState === 'open';
  }

  /** The socket is connected before the port is made. */
  open(callback: (error?: Error) => void): void {
    callback(this.isOpen ? undefined : new Error('the connection is not open'));
  }

  close(callback?: () => void): void {
    this.destroy(callback);
  }

  destroy(callback?: () => void): void {
    this.#socket.destroy();
    callback?.();
  }

  /** Takes a serial frame from the library (unit, PDU, CRC) and sends it with an MBAP header instead of the CRC. */
  write(frame: Buffer): void {
    // One request at a time: one still expected was given up by the caller (a timeout).
    if (this.#expected !== undefined) this.#abandon(this.#expected.transactionId);
    const transactionId = this.#nextTransactionId;
    this.#nextTransactionId = (transactionId + 1) & 0xffff;
    // After a wrap-around the id is new again, whatever became of its namesake.
    this.#abandoned.delete(transactionId);
    const unitId = frame[0] ?? 0;
    const pdu = frame.subarray(1, frame.length - 2);
    const header = Buffer.alloc(MBAP_HEADER_BYTES);
    header.writeUInt16BE(transactionId, 0);
    header.writeUInt16BE(0, 2);
    header.writeUInt16BE(pdu.length + 1, 4);
    header[6] = unitId;
    this.#expected = { transactionId, unitId };
    this.#socket.write(Buffer.concat([header, pdu]));
  }

  /**
   * What has arrived of an answer that is not complete, if anything: asked
   * when a request times out, since a silent device and a broken frame call
   * for different remedies.
   */
  incomplete(): string | undefined {
    const held = this.#received.length;
    if (held === 0) return undefined;
    if (held < MBAP_HEADER_BYTES) return `answer incomplete: ${held} bytes, not even an MBAP header`;
    const announced = 6 + this.#received.readUInt16BE(4);
    return `answer incomplete: ${held} of the ${announced} bytes its MBAP length field announces`;
  }

  #abandon(transactionId: number): void {
    this.#abandoned.add(transactionId);
    if (this.#abandoned.size > ABANDONED_KEPT) {
      const oldest = this.#abandoned.values().next().value;
      if (oldest !== undefined) this.#abandoned.delete(oldest);
    }
  }

  #receive(data: Buffer): void {
    if (this.#garbled) return;
    const problem = this.#take(data);
    if (problem !== undefined) this.#garble(problem);
  }

  /** Takes in what arrived and hands each complete answer on; says why the stream is out of step, if it is. */
  #take(data: Buffer): string | undefined {
    // With every request answered, nothing else is due: whatever comes is out of step.
    if (this.#expected === undefined) return `${data.length} bytes with no request in flight`;
    this.#received = this.#received.length === 0 ? data : Buffer.concat([this.#received, data]);
    while (this.#received.length >= MBAP_HEADER_BYTES) {
      const held = this.#received;
      const transactionId = held.readUInt16BE(0);
      const protocolId = held.readUInt16BE(2);
      const length = held.readUInt16BE(4);
      if (protocolId !== 0) return `protocol identifier ${protocolId} in the MBAP header, not 0 (Modbus)`;
      if (length < MIN_LENGTH || length > MAX_LENGTH) {
        return `MBAP length field ${length}, outside ${MIN_LENGTH}..${MAX_LENGTH}`;
      }
      const size = 6 + length;
      if (held.length < size) return undefined;
      const frame = held.subarray(0, size);
      this.#received = held.subarray(size);
      if (this.#abandoned.delete(transactionId)) continue; // the late answer of a request that timed out
      const problem = this.#misfit(frame, transactionId);
      if (problem !== undefined) return problem;
      this.#expected = undefined;
      this.#abandoned.clear();
      if (this.#received.length > 0)
        return `${this.#received.length} bytes beyond the length its MBAP header gives`;
      this.emit('data', this.#sealed(frame.subarray(6)));
    }
    return undefined;
  }

  /** Why a complete frame does not answer the request in flight, if it does not. */
  #misfit(frame: Buffer, transactionId: number): string | undefined {
    const expected = this.#expected as Expected;
    if (transactionId !== expected.transactionId) {
      return `transaction ${transactionId} answered, ${expected.transactionId} asked`;
    }
    const unitId = frame[6] ?? 0;
    if (unitId !== expected.unitId) return `unit ${unitId} answered, unit ${expected.unitId} asked`;
    const functionCode = frame[7] ?? 0;
    if (BYTE_COUNT_FUNCTIONS.has(functionCode)) {
      const byteCount = frame[8] ?? 0;
      const carried = frame.length - 9;
      if (byteCount !== carried) return `byte count ${byteCount} with ${carried} bytes of data`;
    }
    return undefined;
  }

  #garble(reason: string): void {
    this.#garbled = true;
    this.#received = Buffer.alloc(0);
    this.#expected = undefined;
    this.#options.onGarbled(reason);
  }

  /** Unit and PDU with the CRC the library's serial framing expects. */
  #sealed(unitAndPdu: Buffer): Buffer {
    const out = Buffer.alloc(unitAndPdu.length + 2);
    unitAndPdu.copy(out);
    out.writeUInt16LE(this.#options.crc16(unitAndPdu), unitAndPdu.length);
    return out;
  }
}
