// Reads Kafka node settings (one properties file per node) with Kafka's own code and prints
// what Kafka made of them, one tab-separated line per node: the cluster id through
// Uuid.fromString (as the broker reads meta.properties), every other setting through
// KafkaConfig (listeners, controller listener, process roles, rack) and the quorum voters
// through QuorumConfig. Any setting Kafka would refuse ends the program with its exception.
// Run with the Maven jars on the class path: java -cp 'lib/*' ComposeNodeCheck.java FILE...

import java.io.FileReader;
import java.util.Properties;

import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.raft.QuorumConfig;

public class ComposeNodeCheck {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            Properties props = new Properties();
            try (FileReader reader = new FileReader(path)) {
                props.load(reader);
            }
            // Not a broker setting: the id the image formats the storage with.
            String clusterId = (String) props.remove("kadmin.check.cluster.id");
            Uuid uuid = Uuid.fromString(clusterId);
            KafkaConfig config = KafkaConfig.fromProps(props);
            System.out.println(String.join("\t",
                "node=" + config.nodeId(),
                "cluster=" + uuid,
                "rack=" + config.getString("broker.rack"),
                "listeners=" + String.join(",", config.getList("listeners")),
                "voters=" + QuorumConfig.parseVoterConnections(config.getList("controller.quorum.voters"))));
        }
    }
}
