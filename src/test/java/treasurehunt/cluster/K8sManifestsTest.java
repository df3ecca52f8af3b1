package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in k8s/ agree with the code: ports, probe paths, environment variable
 * names, the labels Cluster Bootstrap selects on, RBAC, and a termination grace that outlasts
 * coordinated shutdown. The pod's configuration is built the way the pod builds it:
 * cluster-config/kubernetes.conf (named by -Dconfig.file in JAVA_TOOL_OPTIONS) resolved with the
 * environment the manifests give the container.
 */
class K8sManifestsTest {

  private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final Path K8S = BASE.resolve("k8s");

  /**
   * Variables for the JVM rather than the engine; everything else must be a TH_* the .conf files
   * read.
   */
  private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

  /** What the downward API gives TH_CLUSTER_HOST in the simulated pod. */
  private static final String POD_IP = "10.1.2.3";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ConfigResolveOptions NO_ENV =
      ConfigResolveOptions.defaults().setUseSystemEnvironment(false);

  private static List<JsonNode> objects;
  private static JsonNode deployment;
  private static JsonNode podSpec;
  private static JsonNode container;

  /** The engine's defaults: application.conf and reference.conf, no environment. */
  private static Config defaults;

  /** The configuration a pod runs with. */
  private static Config pod;

  private static Map<String, String> podEnv;

  @BeforeAll
  static void load() throws IOException {
    JsonNode kustomization = single(readYaml(K8S.resolve("kustomization.yaml")), "Kustomization");
    objects = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources"))
      objects.addAll(readYaml(K8S.resolve(resource.asText())));
    deployment = single(objects, "Deployment");
    podSpec = deployment.at("/spec/template/spec");
    assertEquals(1, podSpec.path("containers").size(), "one container per pod");
    container = podSpec.path("containers").get(0);

    defaults =
        ConfigFactory.parseResources("application.conf")
            .withFallback(ConfigFactory.defaultReference())
            .resolve(NO_ENV);
    podEnv = podEnvironment();
    pod = podConfig(podEnv);
  }

  @Test
  void containerPortsAreTheConfiguredDefaults() throws IOException {
    int http = defaults.getInt("treasure-hunt.http.port");
    int management = defaults.getInt("treasure-hunt.management-port");
    int remoting = defaults.getInt("akka.remote.artery.canonical.port");
    assertEquals(8080, http);
    assertEquals(8558, management);
    assertEquals(25520, remoting);
    assertEquals(management, defaults.getInt("akka.management.http.port"));
    assertEquals(
        Map.of("http", http, "management", management, "remoting", remoting), containerPorts());

    // The pod's environment changes none of them.
    assertEquals(http, pod.getInt("treasure-hunt.http.port"));
    assertEquals(management, pod.getInt("akka.management.http.port"));
    assertEquals(remoting, pod.getInt("akka.remote.artery.canonical.port"));

    // Services point at named container ports and publish them under the same numbers.
    for (JsonNode service : all("Service")) {
      for (JsonNode port : service.at("/spec/ports")) {
        String target = port.path("targetPort").asText();
        assertTrue(
            containerPorts().containsKey(target),
            service.at("/metadata/name") + " targets unknown port " + target);
        assertEquals(
            containerPorts().get(target).intValue(),
            port.path("port").asInt(),
            "service port " + target);
      }
    }
    assertEquals(List.of(http), servicePorts("treasure-hunt"));
    assertEquals(List.of(management), servicePorts("treasure-hunt-management"));

    // The image exposes the same ports (jib-maven-plugin in pom.xml).
    String jib = jibPluginBlock();
    List<Integer> exposed = new ArrayList<>();
    Matcher m = Pattern.compile("<port>(\\d+)</port>").matcher(jib);
    while (m.find()) exposed.add(Integer.parseInt(m.group(1)));
    assertEquals(new TreeSet<>(List.of(http, management, remoting)), new TreeSet<>(exposed));
  }

  @Test
  void probesAreTheManagementHealthChecks() {
    String base = defaults.getString("akka.management.http.base-path");
    String prefix = base.isEmpty() ? "/" : "/" + base + "/";
    String ready = prefix + defaults.getString("akka.management.health-checks.readiness-path");
    String alive = prefix + defaults.getString("akka.management.health-checks.liveness-path");
    assertEquals("/ready", ready);
    assertEquals("/alive", alive);

    assertProbe("readinessProbe", ready);
    assertProbe("livenessProbe", alive);
    if (container.has("startupProbe")) assertProbe("startupProbe", alive);
  }

  @Test
  void everyEnvironmentVariableIsOneTheEngineReads() throws IOException {
    Set<String> read = variablesReadByConf();
    assertTrue(
        read.containsAll(List.of("TH_DB_URL", "TH_TOKEN_SECRET", "TH_CLUSTER_HOST")),
        "parsed " + read);

    Set<String> given = new TreeSet<>();
    for (JsonNode env : container.path("env")) given.add(env.path("name").asText());
    JsonNode configMap = byName("ConfigMap", container.at("/envFrom/0/configMapRef/name").asText());
    configMap.path("data").fieldNames().forEachRemaining(given::add);
    assertEquals(1, container.path("envFrom").size(), "envFrom: the ConfigMap only");

    for (String name : given)
      assertTrue(
          read.contains(name) || JVM_VARIABLES.contains(name),
          name + " is read by no ${?" + name + "} in the .conf files");

    // The Secret template holds exactly the keys the container takes from the Secret.
    Map<String, String> fromSecret = new TreeMap<>();
    for (JsonNode env : container.path("env")) {
      JsonNode ref = env.at("/valueFrom/secretKeyRef");
      if (ref.isMissingNode()) continue;
      fromSecret.put(ref.path("key").asText(), ref.path("name").asText());
    }
    JsonNode secret = single(readYaml(K8S.resolve("secret.example.yaml")), "Secret");
    Set<String> keys = new TreeSet<>();
    secret.path("stringData").fieldNames().forEachRemaining(keys::add);
    assertEquals(keys, fromSecret.keySet());
    assertEquals(Set.of(secret.at("/metadata/name").asText()), Set.copyOf(fromSecret.values()));
    for (String key : keys) assertTrue(read.contains(key), key);
    // Every node of a cluster must share the token secret and the admin token: they come from the
    // Secret.
    assertTrue(
        fromSecret
            .keySet()
            .containsAll(List.of("TH_TOKEN_SECRET", "TH_ADMIN_TOKEN", "TH_DB_PASSWORD")));
  }

  @Test
  void podsRunTheKubernetesConfiguration() throws Exception {
    assertEquals("kubernetes-api", pod.getString("treasure-hunt.bootstrap"));
    // Node.java sets contact-point-discovery.discovery-method to treasure-hunt.bootstrap: that
    // method exists
    // and its implementation is on the classpath (akka-discovery-kubernetes-api in pom.xml).
    Class.forName(pod.getString("akka.discovery.kubernetes-api.class"));
    assertEquals(POD_IP, pod.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(
        POD_IP,
        pod.getString("akka.management.http.hostname"),
        "the bootstrap recognises itself by this");
    assertEquals(
        POD_IP,
        pod.getString("akka.management.http.bind-hostname"),
        "management listens on the pod IP only (k8s/networkpolicy.yaml decides who reaches it)");
    assertFalse(
        pod.getString("treasure-hunt.db.url").isBlank(),
        "pods use an external PostgreSQL, never the embedded one");
    assertTrue(
        pod.getString("treasure-hunt.data-dir").startsWith("/tmp/"),
        "the only writable directory is /tmp");
    assertTrue(
        podSpec.path("volumes").toString().contains("emptyDir")
            && container.path("volumeMounts").toString().contains("\"/tmp\""),
        "/tmp is an emptyDir");
    String jvm = podEnv.get("JAVA_TOOL_OPTIONS");
    assertTrue(jvm.contains("-XX:MaxRAMPercentage="), jvm);
    assertTrue(
        jvm.contains("-XX:+UseG1GC") && jvm.contains("-XX:MaxGCPauseMillis=20"),
        "pods run the low-pause collector of cluster-config/jvm.options: " + jvm);
    // every collector option of the node's file, but the one that lets JDK 20+ start with it (the
    // image is JDK 17, where an unknown option should stop the pod rather than pass unnoticed)
    List<String> options = new ArrayList<>(List.of(jvm.split(" ")));
    for (String line : Files.readAllLines(Path.of("cluster-config/jvm.options"))) {
      String option = line.strip();
      if (option.isEmpty() || option.startsWith("#")) continue;
      if (option.equals("-XX:+IgnoreUnrecognizedVMOptions")) continue;
      assertTrue(
          options.contains(option),
          "k8s/deployment.yaml's JAVA_TOOL_OPTIONS lacks " + option + " of jvm.options: " + jvm);
    }
    assertTrue(
        container.at("/resources/limits/memory").isTextual(),
        "MaxRAMPercentage needs a memory limit");
    assertTrue(container.at("/resources/requests/cpu").isTextual());

    int replicas = deployment.at("/spec/replicas").asInt();
    int required =
        pod.getInt(
            "akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr");
    assertTrue(
        required <= replicas, "required-contact-point-nr " + required + " > replicas " + replicas);
  }

  @Test
  void bootstrapSelectsThePodTemplateLabels() {
    Map<String, String> labels = labels(deployment.at("/spec/template/metadata/labels"));
    Map<String, String> selected = selectorOf(pod);
    assertFalse(selected.isEmpty());
    assertEquals(
        selected,
        subset(labels, selected.keySet()),
        "pod-label-selector " + selected + " vs labels " + labels);
    assertEquals(Map.of("app", "treasure-hunt"), selected);

    String portName =
        pod.getString("akka.management.cluster.bootstrap.contact-point-discovery.port-name");
    if (!portName.isEmpty())
      assertTrue(containerPorts().containsKey(portName), "bootstrap port-name " + portName);

    Map<String, String> matchLabels = labels(deployment.at("/spec/selector/matchLabels"));
    assertEquals(matchLabels, subset(labels, matchLabels.keySet()));
    for (JsonNode service : all("Service")) {
      Map<String, String> s = labels(service.at("/spec/selector"));
      assertFalse(s.isEmpty());
      assertEquals(s, subset(labels, s.keySet()), "Service " + service.at("/metadata/name"));
    }
    assertEquals(
        deployment.at("/metadata/name").asText(), podSpec.path("serviceAccountName").asText());
  }

  @Test
  void roleLetsTheServiceAccountListPods() {
    JsonNode role = single(objects, "Role");
    boolean pods = false;
    for (JsonNode rule : role.path("rules")) {
      if (texts(rule.path("apiGroups")).contains("")
          && texts(rule.path("resources")).contains("pods"))
        pods = texts(rule.path("verbs")).containsAll(List.of("get", "list", "watch"));
    }
    assertTrue(pods, "the Role allows get, list and watch on pods");

    JsonNode binding = single(objects, "RoleBinding");
    assertEquals("Role", binding.at("/roleRef/kind").asText());
    assertEquals(role.at("/metadata/name").asText(), binding.at("/roleRef/name").asText());
    String account = podSpec.path("serviceAccountName").asText();
    assertNotNull(byName("ServiceAccount", account));
    boolean bound = false;
    for (JsonNode subject : binding.path("subjects"))
      bound |=
          subject.path("kind").asText().equals("ServiceAccount")
              && subject.path("name").asText().equals(account);
    assertTrue(bound, "the RoleBinding names the pods' ServiceAccount");
  }

  @Test
  void terminationGraceOutlastsCoordinatedShutdown() {
    assertTrue(
        pod.getBoolean("akka.coordinated-shutdown.run-by-jvm-shutdown-hook"),
        "SIGTERM runs coordinated shutdown");
    // The WebSocket gateway's task in service-unbind waits up to shutdown-grace for every session
    // to finish its commands and close with 1001; a phase that times out first moves on and cuts
    // the sockets' grace short.
    Duration wsGrace = pod.getDuration("treasure-hunt.ws.shutdown-grace");
    Duration unbind = phaseTimeout(pod, "service-unbind");
    assertTrue(
        unbind.compareTo(wsGrace) > 0,
        "akka.coordinated-shutdown.phases.service-unbind.timeout "
            + unbind
            + " must exceed treasure-hunt.ws.shutdown-grace "
            + wsGrace);
    long grace = podSpec.path("terminationGracePeriodSeconds").asLong(30);
    Duration preStop = preStopSleep();
    Duration shutdown = longestPhasePath(pod, "actor-system-terminate");
    Duration needed = preStop.plus(shutdown);
    assertTrue(
        grace > needed.toSeconds(),
        "terminationGracePeriodSeconds "
            + grace
            + " must exceed preStop "
            + preStop
            + " + coordinated shutdown "
            + shutdown);
  }

  @Test
  void disruptionBudgetCoversTheEnginePodsOneAtATime() {
    JsonNode pdb = single(objects, "PodDisruptionBudget");
    assertEquals(
        labels(deployment.at("/spec/selector/matchLabels")),
        labels(pdb.at("/spec/selector/matchLabels")));
    int replicas = deployment.at("/spec/replicas").asInt();
    // keep-majority: a voluntary disruption never takes half of the members at once.
    assertTrue(pdb.at("/spec/maxUnavailable").isInt(), "maxUnavailable as a number");
    int maxUnavailable = pdb.at("/spec/maxUnavailable").asInt();
    assertTrue(
        maxUnavailable >= 1 && 2 * maxUnavailable < replicas, "maxUnavailable " + maxUnavailable);
  }

  // --- the pod ---

  /**
   * The container's environment: ConfigMap, literal values, fieldRefs and secrets replaced by
   * stand-ins.
   */
  /**
   * Only the engine's own pods reach remoting and management (any pod that reached remoting could
   * send any actor message, including one that returns every treasure); the scraper reaches
   * management; anyone reaches HTTP. The policy's ports are the container's real ports.
   */
  @Test
  void aNetworkPolicyKeepsOtherPodsAwayFromRemotingAndManagement() {
    JsonNode policy = single(objects, "NetworkPolicy");
    assertEquals(
        labels(deployment.at("/spec/template/metadata/labels")),
        labels(policy.at("/spec/podSelector/matchLabels")),
        "the policy selects the engine's pods");
    int remoting = pod.getInt("akka.remote.artery.canonical.port");
    int management = pod.getInt("akka.management.http.port");
    int http = containerPorts().get("http");
    Map<Integer, List<JsonNode>> fromByPort = new TreeMap<>();
    for (JsonNode rule : policy.at("/spec/ingress"))
      for (JsonNode port : rule.path("ports"))
        fromByPort.computeIfAbsent(port.path("port").asInt(), k -> new ArrayList<>()).add(rule);
    assertEquals(Set.of(http, remoting, management), fromByPort.keySet(), "no other port is open");
    for (JsonNode rule : fromByPort.get(http))
      assertTrue(rule.path("from").isMissingNode(), "HTTP is open to anyone the Service lets in");
    for (JsonNode rule : fromByPort.get(remoting)) {
      assertEquals(1, rule.path("from").size(), "remoting from one peer kind only");
      assertEquals(
          labels(deployment.at("/spec/template/metadata/labels")),
          labels(rule.at("/from/0/podSelector/matchLabels")),
          "remoting only from the engine's own pods");
      assertTrue(rule.at("/from/0/namespaceSelector").isMissingNode(), "and only in its namespace");
    }
    for (JsonNode rule : fromByPort.get(management))
      for (JsonNode from : rule.path("from"))
        assertFalse(
            from.path("podSelector").isMissingNode(),
            "management only from selected pods: " + from);
  }

  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      JsonNode configMap = byName("ConfigMap", from.at("/configMapRef/name").asText());
      configMap
          .path("data")
          .fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) env.put(name, e.path("value").asText());
      else if (e.at("/valueFrom/fieldRef/fieldPath").asText().equals("status.podIP"))
        env.put(name, POD_IP);
      else if (e.at("/valueFrom/secretKeyRef").isObject())
        env.put(name, "stand-in-for-a-secret-value-of-48-bytes-length!!");
      else fail("unexpected env entry " + e);
    }
    return env;
  }

  /**
   * cluster-config/kubernetes.conf (from -Dconfig.file, mapped from the image to the checkout) with
   * the pod's env.
   */
  private static Config podConfig(Map<String, String> env) throws IOException {
    String jvm = env.get("JAVA_TOOL_OPTIONS");
    assertNotNull(jvm, "JAVA_TOOL_OPTIONS");
    Matcher m = Pattern.compile("-Dconfig\\.file=(\\S+)").matcher(jvm);
    assertTrue(m.find(), "JAVA_TOOL_OPTIONS selects the Kubernetes configuration: " + jvm);
    String inImage = m.group(1);
    // jib copies cluster-config/ to /app/cluster-config (extraDirectories in pom.xml).
    String jib = jibPluginBlock();
    assertTrue(
        jib.contains("<from>cluster-config</from>")
            && jib.contains("<into>/app/cluster-config</into>"),
        jib);
    assertTrue(inImage.startsWith("/app/cluster-config/"), inImage);
    Path file =
        BASE.resolve("cluster-config").resolve(inImage.substring("/app/cluster-config/".length()));
    assertTrue(Files.isRegularFile(file), file.toString());
    // ${?TH_X} finds a root-level TH_X in the configuration before it looks at the process
    // environment.
    return ConfigFactory.parseMap(env)
        .withFallback(ConfigFactory.parseFile(file.toFile()))
        .withFallback(ConfigFactory.defaultReference())
        .resolve(NO_ENV);
  }

  /** The bootstrap's label selector: pod-label-selector with the effective service name. */
  private static Map<String, String> selectorOf(Config config) {
    String discovery = "akka.management.cluster.bootstrap.contact-point-discovery.";
    String service = config.getString(discovery + "service-name");
    if (service.equals("<service-name>")) service = "treasure-hunt"; // the ActorSystem's name
    String namespace = config.getString(discovery + "service-namespace");
    String effective =
        namespace.equals("<service-namespace>") ? service : service + "." + namespace;
    String selector =
        String.format(
            config.getString("akka.discovery.kubernetes-api.pod-label-selector"), effective);
    Map<String, String> labels = new LinkedHashMap<>();
    for (String term : selector.split(",")) {
      String[] kv = term.trim().split("==?", 2);
      assertEquals(2, kv.length, "only equality selectors are checked: " + selector);
      labels.put(kv[0].trim(), kv[1].trim());
    }
    return labels;
  }

  /**
   * The longest chain of phase timeouts ending at {@code last}; a phase lasts at most its timeout.
   */
  private static Duration longestPhasePath(Config config, String last) {
    return longest(config, last, new HashMap<>());
  }

  private static Duration longest(Config config, String phase, Map<String, Duration> memo) {
    Duration known = memo.get(phase);
    if (known != null) return known;
    Config p = config.getConfig("akka.coordinated-shutdown.phases").getConfig("\"" + phase + "\"");
    Duration before = Duration.ZERO;
    if (p.hasPath("depends-on"))
      for (String dep : p.getStringList("depends-on"))
        before = max(before, longest(config, dep, memo));
    Duration total = before.plus(phaseTimeout(config, phase));
    memo.put(phase, total);
    return total;
  }

  /** How long a phase may last as configured: its timeout, or none when it is disabled. */
  private static Duration phaseTimeout(Config config, String phase) {
    Config p = config.getConfig("akka.coordinated-shutdown.phases").getConfig("\"" + phase + "\"");
    if (p.hasPath("enabled") && !p.getBoolean("enabled")) return Duration.ZERO;
    return p.hasPath("timeout")
        ? p.getDuration("timeout")
        : config.getDuration("akka.coordinated-shutdown.default-phase-timeout");
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration preStopSleep() {
    JsonNode command = container.at("/lifecycle/preStop/exec/command");
    if (command.isMissingNode()) return Duration.ZERO;
    List<String> words = texts(command);
    assertEquals(2, words.size(), "preStop is a plain sleep: " + words);
    assertEquals("sleep", words.get(0));
    return Duration.ofSeconds(Long.parseLong(words.get(1)));
  }

  private static void assertProbe(String probe, String path) {
    JsonNode get = container.path(probe).path("httpGet");
    assertEquals(path, get.path("path").asText(), probe);
    JsonNode port = get.path("port");
    int number = port.isInt() ? port.asInt() : containerPorts().getOrDefault(port.asText(), -1);
    assertEquals(
        defaults.getInt("akka.management.http.port"), number, probe + " on the management port");
  }

  private static Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (JsonNode p : container.path("ports"))
      ports.put(p.path("name").asText(), p.path("containerPort").asInt());
    return ports;
  }

  private static List<Integer> servicePorts(String name) {
    List<Integer> ports = new ArrayList<>();
    for (JsonNode p : byName("Service", name).at("/spec/ports")) ports.add(p.path("port").asInt());
    return ports;
  }

  // --- the .conf files ---

  /**
   * Every TH_* named by a ${?TH_...} in application.conf and the files it includes, and in
   * cluster-config/.
   */
  private static Set<String> variablesReadByConf() throws IOException {
    Set<String> names = new TreeSet<>();
    Set<String> seen = new LinkedHashSet<>();
    collect("application.conf", names, seen);
    assertTrue(seen.size() > 3, "application.conf includes one file per concern: " + seen);
    return names;
  }

  private static void collect(String resource, Set<String> names, Set<String> seen)
      throws IOException {
    if (!seen.add(resource)) return;
    String text;
    try (InputStream in = K8sManifestsTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource + " on the classpath");
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher env = Pattern.compile("\\$\\{\\?(TH_[A-Z0-9_]+)\\}").matcher(text);
    while (env.find()) names.add(env.group(1));
    Matcher include = Pattern.compile("(?m)^\\s*include\\s+\"([^\"]+)\"").matcher(text);
    while (include.find()) {
      String name = include.group(1);
      collect(name.endsWith(".conf") ? name : name + ".conf", names, seen);
    }
  }

  private static String jibPluginBlock() throws IOException {
    String pom = Files.readString(BASE.resolve("pom.xml"));
    int at = pom.indexOf("<artifactId>jib-maven-plugin</artifactId>");
    assertTrue(at > 0, "jib-maven-plugin in pom.xml");
    return pom.substring(at, pom.indexOf("</plugin>", at));
  }

  // --- YAML ---

  private static List<JsonNode> readYaml(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && doc.isObject() && doc.size() > 0) docs.add(doc);
      }
    }
    assertFalse(docs.isEmpty(), file + " holds no object");
    return docs;
  }

  private static List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode single(List<JsonNode> docs, String kind) {
    List<JsonNode> found = docs.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static JsonNode byName(String kind, String name) {
    return all(kind).stream()
        .filter(o -> o.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new TreeMap<>();
    node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  private static Map<String, String> subset(Map<String, String> labels, Set<String> keys) {
    Map<String, String> out = new TreeMap<>();
    for (String k : keys) if (labels.containsKey(k)) out.put(k, labels.get(k));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }
}
