import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning with the Kafka Java client and prints one
 * line per record: topic, partition, offset and value length. Used by tests to
 * show that what the gateway wrote (compressed by its codecs) reads in Java.
 * Arguments: bootstrap servers, expected record count, topics...
 */
public class ReadTopics {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", "read-topics-" + System.nanoTime());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    int expected = Integer.parseInt(args[1]);
    int seen = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(Arrays.asList(args).subList(2, args.length));
      while (seen < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          seen++;
          int length = record.value() == null ? -1 : record.value().length;
          System.out.println(record.topic() + "\t" + record.partition() + "\t" + record.offset() + "\t" + length);
        }
      }
    }
  }
}
