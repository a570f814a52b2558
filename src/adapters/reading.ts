/** What every adapter emits: one observation of one point. */
export type Quality = 'good' | 'uncertain' | 'bad';

export type PointValue = number | boolean;

export interface Reading {
  readonly deviceId: string;
  readonly pointId: string;
  /** Engineering value; null when quality is bad and nothing usable was read. */
  readonly value: PointValue | null;
  readonly quality: Quality;
  /** Why the quality is not good (exception code, decode failure …). */
  readonly qualityReason?: string;
  /** Epoch ms from the device, when the protocol carries one. */
  readonly sourceTime?: number;
  /** Epoch ms when the gateway received the value. */
  readonly gatewayTime: number;
  /**
   * The protocol delivered this reading before (an MQTT redelivery after a
   * lost acknowledgement): it may have been evaluated already.
   */
  readonly redelivered?: boolean;
}
