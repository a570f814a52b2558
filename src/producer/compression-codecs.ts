/**
 * Record batch codecs beyond kafkajs's built-in gzip, in the framings Kafka's
 * Java clients use, so any consumer reads what the gateway wrote: zstd from
 * Node's own zlib, LZ4 frames and Snappy (xerial framing) from prebuilt
 * native libraries. kafka-client.ts hands them to kafkajs. The native
 * libraries load on first use: a gateway that neither writes nor reads LZ4 or
 * Snappy never maps them.
 */
import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';

const lz4Library = () => import('lz4-napi');
const snappyLibrary = () => import('snappy');

/** The codec shape kafkajs expects: compress gets its encoder, whose buffer holds the records. */
export interface BatchCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const zstd: BatchCodec = {
  compress: (encoder) => promisify(zstdCompress)(encoder.buffer),
  decompress: (buffer) => promisify(zstdDecompress)(buffer),
};

const lz4: BatchCodec = {
  compress: async (encoder) => (await lz4Library()).compressFrame(encoder.buffer),
  decompress: async (buffer) => (await lz4Library()).decompressFrame(buffer),
};

// xerial snappy-java's stream format, which Java producers write: a 16-byte
// header (magic, version, compatible version) then blocks, each a big-endian
// length and raw Snappy data.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
const XERIAL_BLOCK_BYTES = 32 * 1024;

async function xerialCompress(data: Buffer): Promise<Buffer> {
  const { compress: snappyCompress } = await snappyLibrary();
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let offset = 0; offset < data.length; offset += XERIAL_BLOCK_BYTES) {
    const block = await snappyCompress(data.subarray(offset, offset + XERIAL_BLOCK_BYTES));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** Both framings: xerial from Java producers, bare Snappy from others (librdkafka). */
async function xerialDecompress(data: Buffer): Promise<Buffer> {
  const { uncompress: snappyUncompress } = await snappyLibrary();
  if (data.length < XERIAL_HEADER.length || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return (await snappyUncompress(data)) as Buffer;
  }
  const parts: Buffer[] = [];
  let offset = XERIAL_HEADER.length;
  while (offset + 4 <= data.length) {
    const length = data.readUInt32BE(offset);
    offset += 4;
    parts.push((await snappyUncompress(data.subarray(offset, offset + length))) as Buffer);
    offset += length;
  }
  return Buffer.concat(parts);
}

const snappy: BatchCodec = {
  compress: (encoder) => xerialCompress(encoder.buffer),
  decompress: xerialDecompress,
};

export const BATCH_CODECS = { lz4, zstd, snappy } as const;
