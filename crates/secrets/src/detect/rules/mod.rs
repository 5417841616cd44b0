//! Built-in rules, one per file. A rule file's `//!` comment is its
//! documentation (docs/secrets.md is generated from it; a test keeps the two
//! identical) and its fixtures live in `tests/fixtures/<rule-id>/`.
//!
//! Order matters in one place: when two rules match overlapping ranges,
//! `scan` reports the rule listed first, so specific rules come before the
//! generic ones.

mod aws_access_key_id;
mod aws_secret_access_key;
mod azure_connection_string;
mod azure_storage_key;
mod curl_auth_header;
mod curl_basic_auth;
mod database_url_password;
mod dockerhub_token;
mod gcp_api_key;
mod gcp_service_account_key;
mod generic_secret_assignment;
mod github_app_token;
mod github_oauth_token;
mod github_pat_classic;
mod github_pat_fine_grained;
mod gitlab_token;
mod jwt;
mod kubernetes_secret;
mod minisign_secret_key;
mod npm_token;
mod nuget_config_password;
mod private_key;
mod pypi_token;
mod slack_token;
mod slack_webhook_url;
mod stripe_secret_key;
mod telegram_bot_token;

// Rules declared with `detect::kit` (one file each, generated shape).
mod adafruit_api_key;
mod adobe_client_id;
mod adobe_client_secret;
mod age_secret_key;
mod airtable_api_key;
mod airtable_personal_access_token;
mod algolia_api_key;
mod alibaba_access_key_id;
mod alibaba_secret_key;
mod anthropic_api_key;
mod artifactory_api_key;
mod artifactory_reference_token;
mod asana_client_id;
mod asana_client_secret;
mod atlassian_api_token;
mod atlassian_legacy_api_token;
mod authress_access_key;
mod aws_bedrock_api_key;
mod azure_ad_client_secret;
mod beamer_api_key;
mod bitbucket_client_id;
mod bitbucket_client_secret;
mod bittrex_api_key;
mod brevo_api_key;
mod cisco_meraki_api_key;
mod clickhouse_cloud_api_secret;
mod clojars_token;
mod cloudflare_api_key;
mod cloudflare_origin_ca_key;
mod codecov_token;
mod cohere_api_key;
mod coinbase_access_token;
mod confluent_api_key;
mod contentful_api_token;
mod databricks_api_token;
mod datadog_api_key;
mod defined_networking_api_key;
mod digitalocean_token;
mod discord_bot_token;
mod discord_client_id;
mod discord_client_secret;
mod doppler_token;
mod droneci_token;
mod dropbox_api_token;
mod duffel_api_token;
mod dynatrace_api_token;
mod easypost_api_key;
mod etsy_access_token;
mod facebook_access_token;
mod facebook_page_access_token;
mod facebook_secret;
mod fastly_api_token;
mod finicity_credential;
mod finnhub_api_key;
mod flickr_api_key;
mod flutterwave_public_key;
mod flutterwave_secret_key;
mod fly_io_token;
mod frameio_api_token;
mod freemius_secret_key;
mod freshbooks_access_token;
mod gitlab_session_cookie;
mod gitter_access_token;
mod gocardless_api_token;
mod grafana_token;
mod harness_api_key;
mod heroku_api_key;
mod heroku_api_token;
mod hubspot_api_key;
mod huggingface_token;
mod infracost_api_key;
mod intercom_api_key;
mod intra42_client_secret;
mod jfrog_credential;
mod kraken_api_key;
mod kucoin_api_key;
mod launchdarkly_access_token;
mod linear_api_key;
mod linear_client_secret;
mod linkedin_client_id;
mod linkedin_client_secret;
mod lob_api_key;
mod lob_publishable_key;
mod looker_client_id;
mod looker_client_secret;
mod mailchimp_api_key;
mod mailgun_api_key;
mod mailgun_public_key;
mod mapbox_access_token;
mod mattermost_access_token;
mod maxmind_license_key;
mod messagebird_api_key;
mod messagebird_client_id;
mod microsoft_teams_webhook;
mod netlify_access_token;
mod new_relic_api_key;
mod new_relic_browser_key;
mod new_relic_user_api_id;
mod notion_api_token;
mod nytimes_api_key;
mod octopus_deploy_api_key;
mod okta_api_token;
mod onepassword_secret_key;
mod onepassword_service_account_token;
mod openai_api_key;
mod openshift_user_token;
mod perplexity_api_key;
mod plaid_access_token;
mod plaid_client_id;
mod plaid_secret_key;
mod planetscale_token;
mod postman_api_key;
mod prefect_api_key;
mod privateai_api_key;
mod pulumi_access_token;
mod rapidapi_key;
mod readme_api_key;
mod rubygems_api_key;
mod scalingo_api_token;
mod sendbird_access_token;
mod sendbird_application_id;
mod sendgrid_api_key;
mod sentry_access_token;
mod sentry_token;
mod settlemint_token;
mod shippo_api_token;
mod shopify_token;
mod sidekiq_secret;
mod sidekiq_sensitive_url;
mod snyk_api_token;
mod sonarqube_token;
mod sourcegraph_access_token;
mod sourcegraph_legacy_token;
mod square_access_token;
mod squarespace_api_key;
mod sumologic_access_id;
mod sumologic_access_key;
mod terraform_cloud_api_token;
mod travis_ci_token;
mod trello_api_token;
mod twilio_api_key;
mod twitch_api_token;
mod twitter_api_credential;
mod twitter_bearer_token;
mod typeform_api_token;
mod vault_legacy_token;
mod vault_token;
mod yandex_cloud_credential;
mod zendesk_api_token;

use regex::Regex;

use super::checksum::has_valid_checksum;
use super::{Hit, Rule, RuleInfo};

/// Every built-in rule, most specific first: provider tokens with a
/// prefix, then values recognised by their name, then the generic rules.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(github_pat_classic::GithubPatClassic::new()),
        Box::new(github_pat_fine_grained::GithubPatFineGrained::new()),
        Box::new(github_app_token::GithubAppToken::new()),
        Box::new(github_oauth_token::GithubOauthToken::new()),
        Box::new(aws_access_key_id::AwsAccessKeyId::new()),
        Box::new(aws_secret_access_key::AwsSecretAccessKey::new()),
        Box::new(gcp_service_account_key::GcpServiceAccountKey::new()),
        Box::new(gcp_api_key::GcpApiKey::new()),
        Box::new(azure_storage_key::AzureStorageKey::new()),
        Box::new(azure_connection_string::AzureConnectionString::new()),
        Box::new(slack_token::SlackToken::new()),
        Box::new(slack_webhook_url::SlackWebhookUrl::new()),
        Box::new(stripe_secret_key::StripeSecretKey::new()),
        Box::new(npm_token::NpmToken::new()),
        Box::new(pypi_token::PypiToken::new()),
        Box::new(dockerhub_token::DockerhubToken::new()),
        Box::new(gitlab_token::GitlabToken::new()),
        Box::new(telegram_bot_token::TelegramBotToken::new()),
        Box::new(private_key::PrivateKey::new()),
        Box::new(minisign_secret_key::MinisignSecretKey::new()),
        anthropic_api_key::rule(),
        openai_api_key::rule(),
        perplexity_api_key::rule(),
        huggingface_token::rule(),
        aws_bedrock_api_key::rule(),
        alibaba_access_key_id::rule(),
        azure_ad_client_secret::rule(),
        digitalocean_token::rule(),
        cloudflare_origin_ca_key::rule(),
        heroku_api_token::rule(),
        fly_io_token::rule(),
        terraform_cloud_api_token::rule(),
        vault_token::rule(),
        gitlab_session_cookie::rule(),
        atlassian_api_token::rule(),
        clojars_token::rule(),
        rubygems_api_key::rule(),
        artifactory_api_key::rule(),
        artifactory_reference_token::rule(),
        octopus_deploy_api_key::rule(),
        harness_api_key::rule(),
        pulumi_access_token::rule(),
        prefect_api_key::rule(),
        scalingo_api_token::rule(),
        readme_api_key::rule(),
        infracost_api_key::rule(),
        defined_networking_api_key::rule(),
        doppler_token::rule(),
        settlemint_token::rule(),
        sourcegraph_access_token::rule(),
        intra42_client_secret::rule(),
        onepassword_secret_key::rule(),
        onepassword_service_account_token::rule(),
        age_secret_key::rule(),
        okta_api_token::rule(),
        authress_access_key::rule(),
        shopify_token::rule(),
        square_access_token::rule(),
        shippo_api_token::rule(),
        duffel_api_token::rule(),
        easypost_api_key::rule(),
        flutterwave_secret_key::rule(),
        flutterwave_public_key::rule(),
        plaid_access_token::rule(),
        discord_bot_token::rule(),
        microsoft_teams_webhook::rule(),
        sendgrid_api_key::rule(),
        brevo_api_key::rule(),
        twitter_bearer_token::rule(),
        twilio_api_key::rule(),
        dynatrace_api_token::rule(),
        grafana_token::rule(),
        new_relic_api_key::rule(),
        new_relic_browser_key::rule(),
        sentry_token::rule(),
        clickhouse_cloud_api_secret::rule(),
        databricks_api_token::rule(),
        planetscale_token::rule(),
        postman_api_key::rule(),
        notion_api_token::rule(),
        linear_api_key::rule(),
        frameio_api_token::rule(),
        typeform_api_token::rule(),
        maxmind_license_key::rule(),
        airtable_personal_access_token::rule(),
        adobe_client_secret::rule(),
        sidekiq_sensitive_url::rule(),
        openshift_user_token::rule(),
        facebook_page_access_token::rule(),
        facebook_access_token::rule(),
        cohere_api_key::rule(),
        privateai_api_key::rule(),
        alibaba_secret_key::rule(),
        cloudflare_api_key::rule(),
        heroku_api_key::rule(),
        yandex_cloud_credential::rule(),
        vault_legacy_token::rule(),
        atlassian_legacy_api_token::rule(),
        bitbucket_client_id::rule(),
        bitbucket_client_secret::rule(),
        codecov_token::rule(),
        droneci_token::rule(),
        travis_ci_token::rule(),
        jfrog_credential::rule(),
        sourcegraph_legacy_token::rule(),
        sonarqube_token::rule(),
        snyk_api_token::rule(),
        plaid_client_id::rule(),
        plaid_secret_key::rule(),
        kucoin_api_key::rule(),
        kraken_api_key::rule(),
        bittrex_api_key::rule(),
        coinbase_access_token::rule(),
        finicity_credential::rule(),
        gocardless_api_token::rule(),
        lob_api_key::rule(),
        lob_publishable_key::rule(),
        discord_client_secret::rule(),
        discord_client_id::rule(),
        mailgun_api_key::rule(),
        mailgun_public_key::rule(),
        mailchimp_api_key::rule(),
        messagebird_api_key::rule(),
        messagebird_client_id::rule(),
        mattermost_access_token::rule(),
        gitter_access_token::rule(),
        intercom_api_key::rule(),
        twitch_api_token::rule(),
        twitter_api_credential::rule(),
        datadog_api_key::rule(),
        new_relic_user_api_id::rule(),
        sentry_access_token::rule(),
        sumologic_access_id::rule(),
        sumologic_access_key::rule(),
        cisco_meraki_api_key::rule(),
        linear_client_secret::rule(),
        airtable_api_key::rule(),
        adafruit_api_key::rule(),
        adobe_client_id::rule(),
        algolia_api_key::rule(),
        asana_client_id::rule(),
        asana_client_secret::rule(),
        beamer_api_key::rule(),
        confluent_api_key::rule(),
        contentful_api_token::rule(),
        dropbox_api_token::rule(),
        fastly_api_token::rule(),
        finnhub_api_key::rule(),
        flickr_api_key::rule(),
        freshbooks_access_token::rule(),
        hubspot_api_key::rule(),
        launchdarkly_access_token::rule(),
        linkedin_client_id::rule(),
        linkedin_client_secret::rule(),
        looker_client_id::rule(),
        looker_client_secret::rule(),
        mapbox_access_token::rule(),
        netlify_access_token::rule(),
        nytimes_api_key::rule(),
        rapidapi_key::rule(),
        sendbird_access_token::rule(),
        sendbird_application_id::rule(),
        squarespace_api_key::rule(),
        trello_api_token::rule(),
        zendesk_api_token::rule(),
        freemius_secret_key::rule(),
        etsy_access_token::rule(),
        facebook_secret::rule(),
        sidekiq_secret::rule(),
        Box::new(curl_auth_header::CurlAuthHeader::new()),
        Box::new(curl_basic_auth::CurlBasicAuth::new()),
        Box::new(kubernetes_secret::KubernetesSecret::new()),
        Box::new(nuget_config_password::NugetConfigPassword::new()),
        Box::new(jwt::Jwt::new()),
        Box::new(database_url_password::DatabaseUrlPassword::new()),
        Box::new(generic_secret_assignment::GenericSecretAssignment::new()),
    ]
}

/// Compile a built-in pattern; they are constants, covered by tests.
///
/// `\b` is made ASCII-only: a Unicode word boundary stops the regex
/// crate's fast lazy DFA on any non-ASCII text (it falls back to a much
/// slower engine), and every token these rules look for is ASCII.
pub(crate) fn pattern(source: &str) -> Regex {
    let source = source.replace(r"\b", r"(?-u:\b)");
    Regex::new(&source).unwrap_or_else(|e| unreachable!("built-in pattern {source}: {e}"))
}

/// Hits for GitHub-format tokens: `pattern` has one capture group, the part
/// after the prefix (random characters then a six-character checksum); a
/// match is a hit only when the checksum is right.
fn checksummed_tokens(
    info: &RuleInfo,
    pattern: &Regex,
    prefix_len: usize,
    text: &str,
    hits: &mut Vec<Hit>,
) {
    for caps in pattern.captures_iter(text) {
        let (Some(whole), Some(body)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if has_valid_checksum(body.as_str()) {
            hits.push(Hit::new(info, whole.start(), whole.end(), prefix_len));
        }
    }
}

/// True when the byte after `end` (if any) cannot continue a token, so a
/// match is not the front of something longer.
pub(crate) fn ends_cleanly(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}
