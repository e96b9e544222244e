import type { ConnectInfo } from '@/lib/validation/enrollment';

/**
 * Ready-to-copy client code for one device, in the shape of seed 001 (the sensor's Python script,
 * the Android OkHttp client) and seed 002 (curl, Python requests, Node https, Java OkHttp): the device
 * POSTs `{"temperature": …, "time": …}` to the mTLS API with its certificate and key.
 */
export interface Snippet {
  id: 'curl' | 'python' | 'node' | 'java' | 'android';
  label: string;
  language: string;
  code: string;
}

export interface SnippetParams {
  connect: ConnectInfo;
  deviceName: string;
  /** 'EC' or 'RSA': Java's KeyFactory needs it. */
  keyAlgorithm: 'EC' | 'RSA';
}

export function deviceFileNames(deviceName: string) {
  return { cert: `${deviceName}.pem`, key: `${deviceName}-key.pem`, p12: `${deviceName}.p12`, chain: 'certfleet-zone-ca.pem' };
}

const javaString = (s: string) => JSON.stringify(s);

export function buildConnectSnippets({ connect, deviceName, keyAlgorithm }: SnippetParams): Snippet[] {
  const files = deviceFileNames(deviceName);
  const ca = connect.serverCaFile;
  const url = connect.endpoint;
  const androidRes = deviceName.toLowerCase().replace(/[^a-z0-9_]/g, '_');

  const curl = [
    'TEMPERATURE=21.5',
    'TIMESTAMP=$(date -u +"%Y-%m-%dT%H:%M:%SZ")',
    `curl --cert ${files.cert} \\`,
    `     --key ${files.key} \\`,
    ...(ca ? [`     --cacert ${ca} \\`] : []),
    '     -H "Content-Type: application/json" \\',
    `     -d '{"temperature": '"$TEMPERATURE"', "time": "'"$TIMESTAMP"'"}' \\`,
    `     ${url}`,
  ].join('\n');

  const python = `import json
from datetime import datetime, timezone

import requests

url = "${url}"
json_headers = {"Content-Type": "application/json"}
cert_file = ("${files.cert}", "${files.key}")


def read_sensor():
    # Take a reading from the temperature sensor here.
    temp_measurement = 21.5
    timestamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"temperature": temp_measurement, "time": timestamp}


r = requests.post(url, headers=json_headers, data=json.dumps(read_sensor()), cert=cert_file${ca ? `, verify="${ca}"` : ''})
print("Response status code: %d" % r.status_code)
`;

  const node = `const https = require("https");
const fs = require("fs");

const body = JSON.stringify({ temperature: 21.5, time: new Date().toISOString() });

const options = {
  hostname: "${connect.host}",
  port: ${connect.port},
  path: "${connect.path}",
  method: "POST",
  cert: fs.readFileSync("${files.cert}"),
  key: fs.readFileSync("${files.key}"),${ca ? `\n  ca: fs.readFileSync("${ca}"),` : ''}
  headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
};

const req = https.request(options, (res) => {
  let data = "";
  res.on("data", (chunk) => (data += chunk));
  res.on("end", () => console.log(res.statusCode, data));
});
req.on("error", (error) => console.error(error));
req.end(body);
`;

  const trustJava = ca
    ? `        // The local edge's server certificate is signed by certfleet's own CA: trust exactly that one.
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        try (FileInputStream in = new FileInputStream(${javaString(ca)})) {
            trustStore.setCertificateEntry("server-ca", certificateFactory.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);`
    : `        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);`;

  const java = `import okhttp3.*;

import javax.net.ssl.*;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.*;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

public class ${javaClassName(deviceName)} {
    public static void main(String[] args) throws Exception {
        CertificateFactory certificateFactory = CertificateFactory.getInstance("X.509");
        Certificate certificate;
        try (FileInputStream in = new FileInputStream(${javaString(files.cert)})) {
            certificate = certificateFactory.generateCertificate(in);
        }
        String keyPem = new String(Files.readAllBytes(Paths.get(${javaString(files.key)})))
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("${keyAlgorithm}")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));

        KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", privateKey, new char[0], new Certificate[] { certificate });
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, new char[0]);

${trustJava}

        SSLContext sslContext = SSLContext.getInstance("TLS");
        sslContext.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        OkHttpClient client = new OkHttpClient.Builder()
                .sslSocketFactory(sslContext.getSocketFactory(), (X509TrustManager) tmf.getTrustManagers()[0])
                .build();

        String json = "{\\"temperature\\": 21.5, \\"time\\": \\"" + Instant.now().toString() + "\\"}";
        Request request = new Request.Builder()
                .url(${javaString(url)})
                .post(RequestBody.create(json, MediaType.get("application/json")))
                .build();
        try (Response response = client.newCall(request).execute()) {
            System.out.println(response.code());
        }
    }
}
`;

  const android = `// AndroidManifest.xml: <uses-permission android:name="android.permission.INTERNET" />
// Put ${files.p12} in app/src/main/res/raw/${androidRes}_p12.p12 (the PKCS#12 you downloaded with its password)${
    ca ? `\n// and ${ca} in app/src/main/res/raw/${androidRes}_server_ca.pem` : ''
  }.
private OkHttpClient setUpClient() throws Exception {
    final char[] password = BuildConfig.DEVICE_P12_PASSWORD.toCharArray(); // keep it out of the source

    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = getResources().openRawResource(R.raw.${androidRes}_p12)) {
        keyStore.load(in, password);
    }
    KeyManagerFactory keyManagerFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagerFactory.init(keyStore, password);

    TrustManagerFactory trustManagerFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
${
  ca
    ? `    KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
    trustStore.load(null, null);
    try (InputStream in = getResources().openRawResource(R.raw.${androidRes}_server_ca)) {
        trustStore.setCertificateEntry("server-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    trustManagerFactory.init(trustStore);`
    : '    trustManagerFactory.init((KeyStore) null);'
}

    SSLContext sslContext = SSLContext.getInstance("TLS");
    sslContext.init(keyManagerFactory.getKeyManagers(), trustManagerFactory.getTrustManagers(), new SecureRandom());
    return new OkHttpClient.Builder()
            .sslSocketFactory(sslContext.getSocketFactory(), (X509TrustManager) trustManagerFactory.getTrustManagers()[0])
            .build();
}

// Then: POST {"temperature": …, "time": …} to ${url}
`;

  return [
    { id: 'curl', label: 'curl', language: 'bash', code: curl },
    { id: 'python', label: 'Python requests', language: 'python', code: python },
    { id: 'node', label: 'Node https', language: 'javascript', code: node },
    { id: 'java', label: 'Java / OkHttp', language: 'java', code: java },
    { id: 'android', label: 'Android', language: 'java', code: android },
  ];
}

function javaClassName(deviceName: string): string {
  const words = deviceName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? `${name}Client` : `Device${name}Client`;
}
