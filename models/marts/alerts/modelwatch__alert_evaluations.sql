{#-
    Every observation judged by its check's thresholds (severity ok / warn / error), with the
    thresholds that applied and the consecutive windows breached. The alerts table keeps the
    breaches; retraining recommendations read every row.
-#}

{{ modelwatch.evaluate_alerts(ref('modelwatch__alert_observations')) }}
