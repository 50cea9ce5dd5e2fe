#include "security/key_material.h"

#include <sys/stat.h>

#include <cstring>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/file.h"
#include "security/keyring.h"

namespace mr::security {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

constexpr long kTenYearsSeconds = 10L * 366 * 24 * 3600;

Status OpenSslError(const std::string& what) { return Status::Internal("OpenSSL: cannot " + what); }

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslError(std::string("make extension ") + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? Status::OK() : OpenSslError("add an extension");
}

// A certificate for `key` named `common_name`, signed by `issuer_key` as
// `issuer`; self-signed when `issuer` is null.
Result<Cert> MakeCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                             EVP_PKEY* issuer_key, bool is_ca) {
  Cert cert(X509_new());
  if (!cert) return OpenSslError("allocate a certificate");
  X509_set_version(cert.get(), 2);  // v3
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("make a serial number");
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // Clock skew.
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kTenYearsSeconds);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mapreduce cluster"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (X509_set_pubkey(cert.get(), key) != 1) return OpenSslError("set a public key");
  if (is_ca) {
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE"));
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE"));
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature"));
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth"));
  }
  RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) {
    RETURN_NOT_OK(AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always"));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return OpenSslError("sign a certificate");
  return cert;
}

Result<std::string> ToPem(X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError("allocate a buffer");
  if (cert != nullptr && PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("write PEM");
  if (key != nullptr &&
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("write PEM");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

Result<std::string> ReadPem(const std::string& path) { return ReadFileToString(path); }

Result<Key> LoadKey(const std::string& pem) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Status::Corruption("not a PEM private key");
  return key;
}

Result<Cert> LoadCert(const std::string& pem) {
  std::unique_ptr<BIO, Free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::Corruption("not a PEM certificate");
  return cert;
}

Status WritePublicFile(const std::string& path, const std::string& data) {
  RETURN_NOT_OK(WritePrivateFile(path, data));
  if (::chmod(path.c_str(), 0644) != 0) return Status::FromErrno(errno, "chmod " + path);
  return Status::OK();
}

}  // namespace

KeyPaths KeyPaths::OfCluster(const std::string& cluster_dir) {
  return KeyPaths(JoinPath(cluster_dir, "keys"));
}

std::string UserCredentialPath(const std::string& cluster_dir, const std::string& user) {
  return JoinPath(JoinPath(cluster_dir, "users"), user + ".cred");
}

Status CreateClusterKeys(const std::string& keys_dir) {
  KeyPaths paths(keys_dir);
  RETURN_NOT_OK(CreateDirs(keys_dir));
  // 0755: ca.pem is for everyone; every private file is 0600 from its creation.
  if (::chmod(keys_dir.c_str(), 0755) != 0) return Status::FromErrno(errno, "chmod " + keys_dir);
  // A crash between the CA's two files leaves one: remake both.
  if (!PathExists(paths.ca_cert()) || !PathExists(paths.ca_key())) {
    Key ca_key(EVP_EC_gen("P-256"));
    if (!ca_key) return OpenSslError("generate a key");
    ASSIGN_OR_RETURN(Cert ca, MakeCertificate(ca_key.get(), "cluster CA", nullptr, ca_key.get(),
                                              /*is_ca=*/true));
    ASSIGN_OR_RETURN(std::string key_pem, ToPem(nullptr, ca_key.get()));
    ASSIGN_OR_RETURN(std::string cert_pem, ToPem(ca.get(), nullptr));
    RETURN_NOT_OK(WritePrivateFile(paths.ca_key(), key_pem));
    RETURN_NOT_OK(WritePublicFile(paths.ca_cert(), cert_pem));
    ::unlink(paths.daemon_cert_and_key().c_str());  // Signed by the old CA.
  }
  if (!PathExists(paths.daemon_cert_and_key())) {
    ASSIGN_OR_RETURN(std::string ca_key_pem, ReadPem(paths.ca_key()));
    ASSIGN_OR_RETURN(std::string ca_cert_pem, ReadPem(paths.ca_cert()));
    ASSIGN_OR_RETURN(Key ca_key, LoadKey(ca_key_pem));
    ASSIGN_OR_RETURN(Cert ca, LoadCert(ca_cert_pem));
    Key key(EVP_EC_gen("P-256"));
    if (!key) return OpenSslError("generate a key");
    ASSIGN_OR_RETURN(Cert cert, MakeCertificate(key.get(), "cluster daemon", ca.get(),
                                                ca_key.get(), /*is_ca=*/false));
    ASSIGN_OR_RETURN(std::string pem, ToPem(cert.get(), key.get()));
    RETURN_NOT_OK(WritePrivateFile(paths.daemon_cert_and_key(), pem));
  }
  if (!PathExists(paths.keyring())) RETURN_NOT_OK(Keyring::Generate().Save(paths.keyring()));
  return Status::OK();
}

}  // namespace mr::security
